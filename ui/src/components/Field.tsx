/**
 * Labelled form fields: a `form-field` box holding the label, the control and whatever the
 * screen puts under it (capture's validation findings). Each field makes its own id, so the
 * label is tied to its control. `invalid` becomes `aria-invalid`; left out, the control carries
 * no `aria-invalid` at all. What a value means (a blank that is "absent", a quantity of at least
 * one) stays with the screen: these hand the control's text up as it is, except
 * `DateTimeField`, which speaks RFC 3339 (see `ipc/time.ts`).
 */
import { useId, type ChangeEvent, type ComponentPropsWithoutRef, type ReactNode } from "react";

import type { CharacteristicDto } from "../ipc/bindings.ts";
import { fromLocalInput, toLocalInput } from "../ipc/time.ts";

interface FieldFrameProps {
  label: ReactNode;
  testId: string;
  /** Becomes `aria-invalid`; undefined leaves the attribute off. */
  invalid?: boolean | undefined;
  /** Spans the whole row of the form grid. */
  wide?: boolean;
  /** Shown under the control (findings, a hint). */
  children?: ReactNode;
}

function Frame({
  id,
  label,
  wide = false,
  control,
  children,
}: {
  id: string;
  label: ReactNode;
  wide?: boolean | undefined;
  control: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className={wide ? "form-field form-field-wide" : "form-field"}>
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {control}
      {children}
    </div>
  );
}

/** What every control carries: its id (for the label), test id, `aria-invalid`, value. */
function controlProps(id: string, testId: string, invalid: boolean | undefined, value: string, onChange: (value: string) => void) {
  return {
    id,
    "data-testid": testId,
    "aria-invalid": invalid,
    value,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
      onChange(event.target.value);
    },
  };
}

type InputAttributes = Omit<ComponentPropsWithoutRef<"input">, "id" | "value" | "onChange" | "children">;

/** A labelled `<input>` (text unless `type` says otherwise). */
export function Field({
  label,
  testId,
  invalid,
  wide,
  children,
  value,
  onChange,
  ...attributes
}: FieldFrameProps & InputAttributes & { value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <Frame
      id={id}
      label={label}
      wide={wide}
      control={<input {...attributes} {...controlProps(id, testId, invalid, value, onChange)} />}
    >
      {children}
    </Frame>
  );
}

/** A labelled `<textarea>`. */
export function TextAreaField({
  label,
  testId,
  invalid,
  wide,
  children,
  rows,
  value,
  onChange,
}: FieldFrameProps & { rows: number; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <Frame
      id={id}
      label={label}
      wide={wide}
      control={<textarea rows={rows} {...controlProps(id, testId, invalid, value, onChange)} />}
    >
      {children}
    </Frame>
  );
}

/** One choice of a `SelectField`; a plain string is its own label. */
export type SelectOption = string | { value: string; label: string };

/** The `<option>`s of a select. */
export function SelectOptions({ options }: { options: readonly SelectOption[] }) {
  return options.map((option) => {
    const { value, label } = typeof option === "string" ? { value: option, label: option } : option;
    return (
      <option key={value} value={value}>
        {label}
      </option>
    );
  });
}

/** A labelled `<select>`. */
export function SelectField({
  label,
  testId,
  invalid,
  wide,
  children,
  options,
  value,
  onChange,
}: FieldFrameProps & { options: readonly SelectOption[]; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <Frame
      id={id}
      label={label}
      wide={wide}
      control={
        <select {...controlProps(id, testId, invalid, value, onChange)}>
          <SelectOptions options={options} />
        </select>
      }
    >
      {children}
    </Frame>
  );
}

/**
 * A labelled `datetime-local` input over an RFC 3339 value: shown in the machine's time zone,
 * handed up in UTC, null when cleared or unreadable.
 */
export function DateTimeField({
  value,
  onChange,
  ...frame
}: FieldFrameProps & { value: string | null; onChange: (value: string | null) => void }) {
  return (
    <Field
      {...frame}
      type="datetime-local"
      value={toLocalInput(value)}
      onChange={(text) => {
        onChange(fromLocalInput(text));
      }}
    />
  );
}

const YES_NO: readonly SelectOption[] = [
  { value: "true", label: "yes" },
  { value: "false", label: "no" },
];

/**
 * A product characteristic's value, labelled with its name, the control chosen by its kind:
 * yes/no for a boolean, a decimal keypad for a number, and for JSON a textarea of `jsonRows`
 * rows when given (a one-line input otherwise).
 */
export function CharacteristicField({
  characteristic,
  jsonRows,
  onChange,
  ...frame
}: Omit<FieldFrameProps, "label"> & {
  characteristic: CharacteristicDto;
  jsonRows?: number;
  onChange: (value: string) => void;
}) {
  const common = { ...frame, label: characteristic.name, value: characteristic.value, onChange };
  switch (characteristic.kind) {
    case "boolean":
      return <SelectField {...common} options={YES_NO} />;
    case "number":
      return <Field {...common} inputMode="decimal" />;
    case "json":
      return jsonRows === undefined ? <Field {...common} /> : <TextAreaField {...common} rows={jsonRows} />;
    default:
      return <Field {...common} />;
  }
}

/** A labelled value the form shows but does not edit. */
export function ReadOnlyField({
  label,
  testId,
  children,
  value,
}: {
  label: ReactNode;
  testId?: string;
  value: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="form-field">
      <span className="form-label">{label}</span>
      <span className="form-value" data-testid={testId}>
        {value}
      </span>
      {children}
    </div>
  );
}
