import type {
  CharacteristicDto,
  CheckDto,
  DraftDto,
  DraftItemDto,
  OfferingDto,
} from "../../ipc/bindings.ts";
import {
  CharacteristicField,
  DateTimeField,
  Field,
  ReadOnlyField,
  SelectField,
  TextAreaField,
  type SelectOption,
} from "../../components/Field.tsx";
import type { FieldKey } from "./checks.ts";
import { Findings } from "./Findings.tsx";

interface OrderFormProps {
  draft: DraftDto;
  onChange: (draft: DraftDto) => void;
  offerings: readonly OfferingDto[];
  /** Validation findings by field (see `checks.ts`). */
  findings: ReadonlyMap<FieldKey, CheckDto[]>;
  /** Problems the form finds itself, by field. */
  problems: ReadonlyMap<FieldKey, string>;
}

const ITEM_ACTIONS = ["add", "modify", "delete", "noChange"] as const;
const PRIORITIES = [
  { value: "0", label: "0 — highest" },
  { value: "1", label: "1 — high" },
  { value: "2", label: "2 — raised" },
  { value: "3", label: "3 — normal" },
  { value: "4", label: "4 — lowest" },
] as const;

type FindingsAt = Parameters<typeof Findings>[0];

/** Whether a field has a rejecting finding or a form problem (its input's `aria-invalid`). */
function isInvalid({ findings, problem }: FindingsAt): boolean {
  return problem !== undefined || (findings?.some((f) => f.outcome === "reject") ?? false);
}

function blankToNull(value: string): string | null {
  return value.trim() === "" ? null : value;
}

/**
 * The order form: the order's requested content, each validation finding beside its field.
 * Controlled: every edit hands a new draft up.
 */
export function OrderForm({ draft, onChange, offerings, findings, problems }: OrderFormProps) {
  const set = (patch: Partial<DraftDto>) => {
    onChange({ ...draft, ...patch });
  };
  const setItem = (itemId: string, patch: Partial<DraftItemDto>) => {
    onChange({
      ...draft,
      items: draft.items.map((item) => (item.id === itemId ? { ...item, ...patch } : item)),
    });
  };
  const useOffering = (itemId: string, offeringId: string) => {
    setItem(itemId, { offeringId });
  };
  const at = (key: FieldKey): FindingsAt => ({
    findings: findings.get(key),
    problem: problems.get(key),
    offerings,
    onUseOffering: useOffering,
  });

  return (
    <div className="order-form">
      <fieldset className="form-section">
        <legend>Order</legend>
        <Findings {...at("order")} />
        <div className="form-grid">
          <ReadOnlyField label="Customer" testId="field-customer" value={draft.customerId}>
            <Findings {...at("order.customer")} />
          </ReadOnlyField>
          <ReadOnlyField label="From quote" value={draft.quoteId ?? "—"} />
          <SelectField
            label="Priority"
            testId="field-priority"
            invalid={isInvalid(at("order.priority"))}
            options={PRIORITIES}
            value={draft.priority}
            onChange={(priority) => {
              set({ priority });
            }}
          >
            <Findings {...at("order.priority")} />
          </SelectField>
          <DateTimeField
            label="Requested start"
            testId="field-requested-start"
            invalid={isInvalid(at("order.requestedStartDate"))}
            value={draft.requestedStartDate}
            onChange={(requestedStartDate) => {
              set({ requestedStartDate });
            }}
          >
            <Findings {...at("order.requestedStartDate")} />
          </DateTimeField>
          <DateTimeField
            label="Requested completion"
            testId="field-requested-completion"
            invalid={isInvalid(at("order.requestedCompletionDate"))}
            value={draft.requestedCompletionDate}
            onChange={(requestedCompletionDate) => {
              set({ requestedCompletionDate });
            }}
          >
            <Findings {...at("order.requestedCompletionDate")} />
          </DateTimeField>
          <Field
            label="Payment method"
            testId="field-payment-method"
            invalid={isInvalid(at("order.paymentMethod"))}
            value={draft.paymentMethodId ?? ""}
            onChange={(value) => {
              set({ paymentMethodId: blankToNull(value) });
            }}
          >
            <Findings {...at("order.paymentMethod")} />
          </Field>
          <Field
            label="Payment holder"
            testId="field-payment-holder"
            invalid={isInvalid(at("order.paymentHolder"))}
            value={draft.paymentHolderName ?? ""}
            onChange={(value) => {
              set({ paymentHolderName: blankToNull(value) });
            }}
          >
            <Findings {...at("order.paymentHolder")} />
          </Field>
          <ReadOnlyField
            label="External ids"
            value={
              draft.externalIds.length === 0
                ? "—"
                : draft.externalIds.map((e) => `${e.id}${e.owner === null ? "" : ` (${e.owner})`}`).join(", ")
            }
          >
            <Findings {...at("order.externalId")} />
          </ReadOnlyField>
        </div>
        <TextAreaField
          label="Description / notes for the order"
          testId="field-description"
          wide
          invalid={isInvalid(at("order.description"))}
          rows={2}
          value={draft.description ?? ""}
          onChange={(value) => {
            set({ description: blankToNull(value) });
          }}
        >
          <Findings {...at("order.description")} />
        </TextAreaField>
      </fieldset>

      {draft.items.map((item, index) => (
        <ItemEditor
          key={item.id}
          item={item}
          position={index + 1}
          offerings={offerings}
          onChange={(patch) => {
            setItem(item.id, patch);
          }}
          at={(suffix) => at(`item:${item.id}${suffix}`)}
          findings={findings}
        />
      ))}
    </div>
  );
}

interface ItemEditorProps {
  item: DraftItemDto;
  position: number;
  offerings: readonly OfferingDto[];
  onChange: (patch: Partial<DraftItemDto>) => void;
  at: (suffix: string) => FindingsAt;
  findings: ReadonlyMap<FieldKey, CheckDto[]>;
}

function ItemEditor({ item, position, offerings, onChange, at, findings }: ItemEditorProps) {
  const offering = offerings.find((o) => o.id === item.offeringId);
  const knownOffering = item.offeringId === null || offering !== undefined;
  const offeringOptions: SelectOption[] = [
    { value: "", label: "— choose an offering —" },
    ...(!knownOffering && item.offeringId !== null
      ? [{ value: item.offeringId, label: `${item.offeringId} (not in the catalog)` }]
      : []),
    ...offerings.map((o) => ({
      value: o.id,
      label: `${o.name} (${o.id})${o.orderable ? "" : " — not orderable"}`,
    })),
  ];
  const setCharacteristic = (name: string, patch: Partial<CharacteristicDto>) => {
    onChange({
      characteristics: item.characteristics.map((c) => (c.name === name ? { ...c, ...patch } : c)),
    });
  };
  // Findings about characteristics the item does not carry (a mandatory one is missing).
  const prefix = `item:${item.id}.char:`;
  const missing = [...findings.keys()]
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((name) => !item.characteristics.some((c) => c.name === name));

  return (
    <fieldset className="form-section form-item" data-testid={`form-item-${item.id}`}>
      <legend>
        Item {position} · {item.action} · {offering?.name ?? item.offeringId ?? "no offering"}
      </legend>
      <Findings {...at("")} />
      <div className="form-grid">
        <SelectField
          label="Action"
          testId={`field-action-${item.id}`}
          invalid={isInvalid(at(".action"))}
          options={ITEM_ACTIONS}
          value={item.action}
          onChange={(action) => {
            onChange({ action });
          }}
        >
          <Findings {...at(".action")} />
        </SelectField>
        <SelectField
          label="Offering"
          testId={`field-offering-${item.id}`}
          invalid={isInvalid(at(".offering"))}
          options={offeringOptions}
          value={item.offeringId ?? ""}
          onChange={(value) => {
            onChange({ offeringId: blankToNull(value) });
          }}
        >
          <Findings {...at(".offering")} />
        </SelectField>
        {item.productId !== null && (
          <ReadOnlyField label="Installed product" value={item.productId}>
            <Findings {...at(".product")} />
          </ReadOnlyField>
        )}
        <Field
          label="Quantity"
          testId={`field-quantity-${item.id}`}
          type="number"
          min={1}
          invalid={isInvalid(at(".quantity"))}
          value={String(item.quantity)}
          onChange={(value) => {
            const quantity = Math.max(1, Math.trunc(Number(value) || 1));
            onChange({ quantity });
          }}
        >
          <Findings {...at(".quantity")} />
        </Field>
        <Field
          label="Service address (place id)"
          testId={`field-place-${item.id}`}
          invalid={isInvalid(at(".place"))}
          placeholder="ADDR-…"
          value={item.placeId ?? ""}
          onChange={(value) => {
            onChange({ placeId: blankToNull(value) });
          }}
        >
          <Findings {...at(".place")} />
        </Field>
      </div>

      <div className="form-subsection">
        <span className="form-label">Characteristics</span>
        {item.characteristics.length === 0 && missing.length === 0 && (
          <span className="form-value muted">None.</span>
        )}
        <div className="form-grid">
          {item.characteristics.map((c) => (
            <CharacteristicField
              key={c.name}
              characteristic={c}
              testId={`field-char-${item.id}-${c.name}`}
              jsonRows={2}
              invalid={isInvalid(at(`.char:${c.name}`))}
              onChange={(value) => {
                setCharacteristic(c.name, { value });
              }}
            >
              <Findings {...at(`.char:${c.name}`)} />
            </CharacteristicField>
          ))}
          {missing.map((name) => (
            <div className="form-field" key={`missing-${name}`}>
              <span className="form-label">{name} (not on the item)</span>
              <Findings {...at(`.char:${name}`)} />
              <button
                type="button"
                className="link-button"
                data-testid={`add-char-${item.id}-${name}`}
                onClick={() => {
                  onChange({
                    characteristics: [...item.characteristics, { name, value: "", kind: "text" }],
                  });
                }}
              >
                Add {name}
              </button>
            </div>
          ))}
        </div>
      </div>

      <AppointmentEditor item={item} onChange={onChange} at={at} />

      {item.relationships.length > 0 && (
        <div className="form-subsection">
          <span className="form-label">Related items</span>
          <span className="form-value">
            {item.relationships.map((r) => `${r.kind} item ${r.itemId}`).join(", ")}
          </span>
        </div>
      )}
    </fieldset>
  );
}

function AppointmentEditor({
  item,
  onChange,
  at,
}: {
  item: DraftItemDto;
  onChange: (patch: Partial<DraftItemDto>) => void;
  at: (suffix: string) => FindingsAt;
}) {
  const appointment = item.appointment;
  if (appointment === null) {
    return (
      <div className="form-subsection">
        <span className="form-label">Appointment</span>
        <span className="form-value muted">None booked.</span>{" "}
        <button
          type="button"
          className="link-button"
          data-testid={`add-appointment-${item.id}`}
          onClick={() => {
            onChange({ appointment: { id: null, start: "", end: "" } });
          }}
        >
          Add an appointment
        </button>
        <Findings {...at(".appointment")} />
      </div>
    );
  }
  return (
    <div className="form-subsection">
      <span className="form-label">Appointment{appointment.id === null ? "" : ` ${appointment.id}`}</span>
      <div className="form-grid">
        <DateTimeField
          label="From"
          testId={`field-appointment-start-${item.id}`}
          value={appointment.start}
          onChange={(start) => {
            onChange({ appointment: { ...appointment, start: start ?? "" } });
          }}
        />
        <DateTimeField
          label="To"
          testId={`field-appointment-end-${item.id}`}
          value={appointment.end}
          onChange={(end) => {
            onChange({ appointment: { ...appointment, end: end ?? "" } });
          }}
        />
        <div className="form-field">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              onChange({ appointment: null });
            }}
          >
            Remove the appointment
          </button>
        </div>
      </div>
      <Findings {...at(".appointment")} />
    </div>
  );
}
