import { useId } from "react";

import type {
  CharacteristicDto,
  CheckDto,
  DraftDto,
  DraftItemDto,
  OfferingDto,
} from "../../ipc/bindings.ts";
import type { FieldKey } from "./checks.ts";
import { Findings } from "./Findings.tsx";
import { fromLocalInput, toLocalInput } from "../../ipc/time.ts";

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

/** `aria-invalid` for an input whose field has a rejecting finding or a form problem. */
function invalid(findings: readonly CheckDto[] | undefined, problem: string | undefined) {
  return {
    "aria-invalid": problem !== undefined || (findings?.some((f) => f.outcome === "reject") ?? false),
  };
}

function blankToNull(value: string): string | null {
  return value.trim() === "" ? null : value;
}

/**
 * The order form: the order's requested content, each validation finding beside its field.
 * Controlled: every edit hands a new draft up.
 */
export function OrderForm({ draft, onChange, offerings, findings, problems }: OrderFormProps) {
  const id = useId();
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
  const at = (key: FieldKey) => ({
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
          <div className="form-field">
            <span className="form-label">Customer</span>
            <span className="form-value" data-testid="field-customer">
              {draft.customerId}
            </span>
            <Findings {...at("order.customer")} />
          </div>
          <div className="form-field">
            <span className="form-label">From quote</span>
            <span className="form-value">{draft.quoteId ?? "—"}</span>
          </div>
          <div className="form-field">
            <label className="form-label" htmlFor={`${id}-priority`}>
              Priority
            </label>
            <select
              id={`${id}-priority`}
              data-testid="field-priority"
              {...invalid(findings.get("order.priority"), problems.get("order.priority"))}
              value={draft.priority}
              onChange={(event) => {
                set({ priority: event.target.value });
              }}
            >
              {PRIORITIES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
            <Findings {...at("order.priority")} />
          </div>
          <div className="form-field">
            <label className="form-label" htmlFor={`${id}-start`}>
              Requested start
            </label>
            <input
              id={`${id}-start`}
              type="datetime-local"
              data-testid="field-requested-start"
              {...invalid(findings.get("order.requestedStartDate"), problems.get("order.requestedStartDate"))}
              value={toLocalInput(draft.requestedStartDate)}
              onChange={(event) => {
                set({ requestedStartDate: fromLocalInput(event.target.value) });
              }}
            />
            <Findings {...at("order.requestedStartDate")} />
          </div>
          <div className="form-field">
            <label className="form-label" htmlFor={`${id}-completion`}>
              Requested completion
            </label>
            <input
              id={`${id}-completion`}
              type="datetime-local"
              data-testid="field-requested-completion"
              {...invalid(findings.get("order.requestedCompletionDate"), problems.get("order.requestedCompletionDate"))}
              value={toLocalInput(draft.requestedCompletionDate)}
              onChange={(event) => {
                set({ requestedCompletionDate: fromLocalInput(event.target.value) });
              }}
            />
            <Findings {...at("order.requestedCompletionDate")} />
          </div>
          <div className="form-field">
            <label className="form-label" htmlFor={`${id}-payment`}>
              Payment method
            </label>
            <input
              id={`${id}-payment`}
              data-testid="field-payment-method"
              {...invalid(findings.get("order.paymentMethod"), problems.get("order.paymentMethod"))}
              value={draft.paymentMethodId ?? ""}
              onChange={(event) => {
                set({ paymentMethodId: blankToNull(event.target.value) });
              }}
            />
            <Findings {...at("order.paymentMethod")} />
          </div>
          <div className="form-field">
            <label className="form-label" htmlFor={`${id}-holder`}>
              Payment holder
            </label>
            <input
              id={`${id}-holder`}
              data-testid="field-payment-holder"
              {...invalid(findings.get("order.paymentHolder"), problems.get("order.paymentHolder"))}
              value={draft.paymentHolderName ?? ""}
              onChange={(event) => {
                set({ paymentHolderName: blankToNull(event.target.value) });
              }}
            />
            <Findings {...at("order.paymentHolder")} />
          </div>
          <div className="form-field">
            <span className="form-label">External ids</span>
            <span className="form-value">
              {draft.externalIds.length === 0
                ? "—"
                : draft.externalIds.map((e) => `${e.id}${e.owner === null ? "" : ` (${e.owner})`}`).join(", ")}
            </span>
            <Findings {...at("order.externalId")} />
          </div>
        </div>
        <div className="form-field form-field-wide">
          <label className="form-label" htmlFor={`${id}-description`}>
            Description / notes for the order
          </label>
          <textarea
            id={`${id}-description`}
            data-testid="field-description"
              {...invalid(findings.get("order.description"), problems.get("order.description"))}
            rows={2}
            value={draft.description ?? ""}
            onChange={(event) => {
              set({ description: blankToNull(event.target.value) });
            }}
          />
          <Findings {...at("order.description")} />
        </div>
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
  at: (suffix: string) => Parameters<typeof Findings>[0];
  findings: ReadonlyMap<FieldKey, CheckDto[]>;
}

function ItemEditor({ item, position, offerings, onChange, at, findings }: ItemEditorProps) {
  const id = useId();
  const offering = offerings.find((o) => o.id === item.offeringId);
  const invalidAt = (suffix: string) => {
    const props = at(suffix);
    return invalid(props.findings, props.problem);
  };
  const knownOffering = item.offeringId === null || offering !== undefined;
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
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-action`}>
            Action
          </label>
          <select
            id={`${id}-action`}
            data-testid={`field-action-${item.id}`}
            {...invalidAt(".action")}
            value={item.action}
            onChange={(event) => {
              onChange({ action: event.target.value });
            }}
          >
            {ITEM_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
          <Findings {...at(".action")} />
        </div>
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-offering`}>
            Offering
          </label>
          <select
            id={`${id}-offering`}
            data-testid={`field-offering-${item.id}`}
            {...invalidAt(".offering")}
            value={item.offeringId ?? ""}
            onChange={(event) => {
              onChange({ offeringId: blankToNull(event.target.value) });
            }}
          >
            <option value="">— choose an offering —</option>
            {!knownOffering && item.offeringId !== null && (
              <option value={item.offeringId}>{item.offeringId} (not in the catalog)</option>
            )}
            {offerings.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.id}){o.orderable ? "" : " — not orderable"}
              </option>
            ))}
          </select>
          <Findings {...at(".offering")} />
        </div>
        {item.productId !== null && (
          <div className="form-field">
            <span className="form-label">Installed product</span>
            <span className="form-value">{item.productId}</span>
            <Findings {...at(".product")} />
          </div>
        )}
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-quantity`}>
            Quantity
          </label>
          <input
            id={`${id}-quantity`}
            type="number"
            min={1}
            data-testid={`field-quantity-${item.id}`}
            {...invalidAt(".quantity")}
            value={item.quantity}
            onChange={(event) => {
              const quantity = Math.max(1, Math.trunc(Number(event.target.value) || 1));
              onChange({ quantity });
            }}
          />
          <Findings {...at(".quantity")} />
        </div>
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-place`}>
            Service address (place id)
          </label>
          <input
            id={`${id}-place`}
            data-testid={`field-place-${item.id}`}
            {...invalidAt(".place")}
            placeholder="ADDR-…"
            value={item.placeId ?? ""}
            onChange={(event) => {
              onChange({ placeId: blankToNull(event.target.value) });
            }}
          />
          <Findings {...at(".place")} />
        </div>
      </div>

      <div className="form-subsection">
        <span className="form-label">Characteristics</span>
        {item.characteristics.length === 0 && missing.length === 0 && (
          <span className="form-value muted">None.</span>
        )}
        <div className="form-grid">
          {item.characteristics.map((c) => (
            <div className="form-field" key={c.name}>
              <CharacteristicInput
                itemId={item.id}
                characteristic={c}
                invalid={invalidAt(`.char:${c.name}`)["aria-invalid"]}
                onChange={(value) => {
                  setCharacteristic(c.name, { value });
                }}
              />
              <Findings {...at(`.char:${c.name}`)} />
            </div>
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

function CharacteristicInput({
  itemId,
  characteristic,
  invalid: isInvalid,
  onChange,
}: {
  itemId: string;
  characteristic: CharacteristicDto;
  invalid: boolean;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const testId = `field-char-${itemId}-${characteristic.name}`;
  const label = (
    <label className="form-label" htmlFor={id}>
      {characteristic.name}
    </label>
  );
  switch (characteristic.kind) {
    case "boolean":
      return (
        <>
          {label}
          <select
            id={id}
            data-testid={testId}
            aria-invalid={isInvalid}
            value={characteristic.value}
            onChange={(event) => {
              onChange(event.target.value);
            }}
          >
            <option value="true">yes</option>
            <option value="false">no</option>
          </select>
        </>
      );
    case "number":
      return (
        <>
          {label}
          <input
            id={id}
            data-testid={testId}
            aria-invalid={isInvalid}
            inputMode="decimal"
            value={characteristic.value}
            onChange={(event) => {
              onChange(event.target.value);
            }}
          />
        </>
      );
    case "json":
      return (
        <>
          {label}
          <textarea
            id={id}
            data-testid={testId}
            aria-invalid={isInvalid}
            rows={2}
            value={characteristic.value}
            onChange={(event) => {
              onChange(event.target.value);
            }}
          />
        </>
      );
    default:
      return (
        <>
          {label}
          <input
            id={id}
            data-testid={testId}
            aria-invalid={isInvalid}
            value={characteristic.value}
            onChange={(event) => {
              onChange(event.target.value);
            }}
          />
        </>
      );
  }
}

function AppointmentEditor({
  item,
  onChange,
  at,
}: {
  item: DraftItemDto;
  onChange: (patch: Partial<DraftItemDto>) => void;
  at: (suffix: string) => Parameters<typeof Findings>[0];
}) {
  const id = useId();
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
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-start`}>
            From
          </label>
          <input
            id={`${id}-start`}
            type="datetime-local"
            data-testid={`field-appointment-start-${item.id}`}
            value={toLocalInput(appointment.start === "" ? null : appointment.start)}
            onChange={(event) => {
              onChange({
                appointment: { ...appointment, start: fromLocalInput(event.target.value) ?? "" },
              });
            }}
          />
        </div>
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-end`}>
            To
          </label>
          <input
            id={`${id}-end`}
            type="datetime-local"
            data-testid={`field-appointment-end-${item.id}`}
            value={toLocalInput(appointment.end === "" ? null : appointment.end)}
            onChange={(event) => {
              onChange({
                appointment: { ...appointment, end: fromLocalInput(event.target.value) ?? "" },
              });
            }}
          />
        </div>
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
