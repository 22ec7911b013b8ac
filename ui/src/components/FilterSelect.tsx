import { SelectOptions, type SelectOption } from "./Field.tsx";

/**
 * A list's filter in its toolbar: "Label [select]", the first choice (`anyLabel`) meaning no
 * filter (null).
 */
export function FilterSelect({
  label,
  testId,
  value,
  anyLabel,
  options,
  onChange,
}: {
  label: string;
  testId: string;
  value: string | null;
  anyLabel: string;
  options: readonly SelectOption[];
  onChange: (value: string | null) => void;
}) {
  return (
    <label>
      {label}{" "}
      <select
        value={value ?? ""}
        data-testid={testId}
        onChange={(event) => {
          onChange(event.target.value === "" ? null : event.target.value);
        }}
      >
        <option value="">{anyLabel}</option>
        <SelectOptions options={options} />
      </select>
    </label>
  );
}
