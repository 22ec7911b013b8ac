import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";

import { commands, type CharacteristicDto, type DraftDto, type DraftItemDto } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";
import { fromLocalInput, toLocalInput } from "../../ipc/time.ts";

const PRIORITIES = ["0", "1", "2", "3", "4"] as const;

function valueProblem(c: CharacteristicDto): string | null {
  if (c.kind === "number" && (c.value.trim() === "" || !Number.isFinite(Number(c.value.trim())))) {
    return `${c.name}: enter a number.`;
  }
  if (c.kind === "json") {
    try {
      JSON.parse(c.value);
    } catch {
      return `${c.name}: enter valid JSON.`;
    }
  }
  return null;
}

/**
 * Amends the order's requested content: dates, priority, description and, per item that may
 * still change, its characteristics, service address and appointment. A reason is required;
 * the desk refuses changes to items past the point of no return and says which.
 */
export function AmendPanel({
  orderId,
  content,
  lockedItems,
  onDone,
  onClose,
}: {
  orderId: string;
  content: DraftDto;
  /** Items that may no longer change, with why. */
  lockedItems: ReadonlyMap<string, string>;
  onDone: () => void;
  onClose: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(content);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [reason, setReason] = useState("");
  const amend = useMutation({
    mutationFn: ({ next, why }: { next: DraftDto; why: string }) => call(commands.amendOrder(orderId, next, why)),
    onSuccess: onDone,
  });
  const setItem = (itemId: string, patch: Partial<DraftItemDto>) => {
    setDraft({ ...draft, items: draft.items.map((i) => (i.id === itemId ? { ...i, ...patch } : i)) });
  };
  const problems = draft.items.flatMap((item) =>
    item.characteristics.map(valueProblem).filter((p): p is string => p !== null),
  );
  const next: DraftDto = { ...draft, items: draft.items.filter((item) => !removed.has(item.id)) };
  const changed = JSON.stringify(next) !== JSON.stringify(content);
  const toggleRemoved = (itemId: string) => {
    const updated = new Set(removed);
    if (!updated.delete(itemId)) {
      updated.add(itemId);
    }
    setRemoved(updated);
  };
  const trimmed = reason.trim();

  return (
    <form
      className="panel action-form amend-form"
      data-testid="amend-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed !== "" && changed && problems.length === 0 && next.items.length > 0) {
          amend.mutate({ next, why: trimmed });
        }
      }}
    >
      <h3>Amend the order</h3>
      <div className="form-grid">
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-priority`}>
            Priority
          </label>
          <select
            id={`${id}-priority`}
            data-testid="amend-priority"
            value={draft.priority}
            onChange={(event) => {
              setDraft({ ...draft, priority: event.target.value });
            }}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-start`}>
            Requested start
          </label>
          <input
            id={`${id}-start`}
            type="datetime-local"
            data-testid="amend-requested-start"
            value={toLocalInput(draft.requestedStartDate)}
            onChange={(event) => {
              setDraft({ ...draft, requestedStartDate: fromLocalInput(event.target.value) });
            }}
          />
        </div>
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-completion`}>
            Requested completion
          </label>
          <input
            id={`${id}-completion`}
            type="datetime-local"
            data-testid="amend-requested-completion"
            value={toLocalInput(draft.requestedCompletionDate)}
            onChange={(event) => {
              setDraft({ ...draft, requestedCompletionDate: fromLocalInput(event.target.value) });
            }}
          />
        </div>
        <div className="form-field">
          <label className="form-label" htmlFor={`${id}-description`}>
            Description
          </label>
          <input
            id={`${id}-description`}
            data-testid="amend-description"
            value={draft.description ?? ""}
            onChange={(event) => {
              setDraft({ ...draft, description: event.target.value.trim() === "" ? null : event.target.value });
            }}
          />
        </div>
      </div>

      {draft.items.map((item) => {
        const locked = lockedItems.get(item.id);
        const isRemoved = removed.has(item.id);
        const lastLeft = !isRemoved && next.items.length === 1;
        return (
          <fieldset
            key={item.id}
            className={isRemoved ? "amend-item removed" : "amend-item"}
            disabled={locked !== undefined}
            data-testid={`amend-item-${item.id}`}
          >
            <legend>
              Item {item.id} · {item.action} · {item.offeringId ?? "no offering"}
              {locked !== undefined && <span className="muted"> — cannot change: {locked}</span>}
              {isRemoved && <span className="error-text"> — will be removed (its delivery is cancelled)</span>}{" "}
              <button
                type="button"
                className="link-button"
                data-testid={`amend-remove-${item.id}`}
                disabled={lastLeft || locked !== undefined}
                title={
                  locked !== undefined
                    ? `Cannot be removed: ${locked}`
                    : lastLeft
                      ? "An order keeps at least one item; cancel the order instead"
                      : undefined
                }
                onClick={() => {
                  toggleRemoved(item.id);
                }}
              >
                {isRemoved ? "Keep this item" : "Remove this item"}
              </button>
            </legend>
            <div className="form-grid" hidden={isRemoved}>
              <div className="form-field">
                <label className="form-label" htmlFor={`${id}-${item.id}-place`}>
                  Service address (place id)
                </label>
                <input
                  id={`${id}-${item.id}-place`}
                  data-testid={`amend-place-${item.id}`}
                  value={item.placeId ?? ""}
                  onChange={(event) => {
                    setItem(item.id, { placeId: event.target.value.trim() === "" ? null : event.target.value });
                  }}
                />
              </div>
              {item.characteristics.map((c) => (
                <div className="form-field" key={c.name}>
                  <label className="form-label" htmlFor={`${id}-${item.id}-${c.name}`}>
                    {c.name}
                  </label>
                  {c.kind === "boolean" ? (
                    <select
                      id={`${id}-${item.id}-${c.name}`}
                      data-testid={`amend-char-${item.id}-${c.name}`}
                      value={c.value}
                      onChange={(event) => {
                        setItem(item.id, {
                          characteristics: item.characteristics.map((x) =>
                            x.name === c.name ? { ...x, value: event.target.value } : x,
                          ),
                        });
                      }}
                    >
                      <option value="true">yes</option>
                      <option value="false">no</option>
                    </select>
                  ) : (
                    <input
                      id={`${id}-${item.id}-${c.name}`}
                      data-testid={`amend-char-${item.id}-${c.name}`}
                      inputMode={c.kind === "number" ? "decimal" : undefined}
                      value={c.value}
                      onChange={(event) => {
                        setItem(item.id, {
                          characteristics: item.characteristics.map((x) =>
                            x.name === c.name ? { ...x, value: event.target.value } : x,
                          ),
                        });
                      }}
                    />
                  )}
                </div>
              ))}
              {item.appointment !== null && (
                <>
                  <div className="form-field">
                    <label className="form-label" htmlFor={`${id}-${item.id}-appt-start`}>
                      Appointment from
                    </label>
                    <input
                      id={`${id}-${item.id}-appt-start`}
                      type="datetime-local"
                      data-testid={`amend-appointment-start-${item.id}`}
                      value={toLocalInput(item.appointment.start)}
                      onChange={(event) => {
                        if (item.appointment !== null) {
                          setItem(item.id, {
                            appointment: { ...item.appointment, start: fromLocalInput(event.target.value) ?? "" },
                          });
                        }
                      }}
                    />
                  </div>
                  <div className="form-field">
                    <label className="form-label" htmlFor={`${id}-${item.id}-appt-end`}>
                      Appointment to
                    </label>
                    <input
                      id={`${id}-${item.id}-appt-end`}
                      type="datetime-local"
                      data-testid={`amend-appointment-end-${item.id}`}
                      value={toLocalInput(item.appointment.end)}
                      onChange={(event) => {
                        if (item.appointment !== null) {
                          setItem(item.id, {
                            appointment: { ...item.appointment, end: fromLocalInput(event.target.value) ?? "" },
                          });
                        }
                      }}
                    />
                  </div>
                </>
              )}
            </div>
          </fieldset>
        );
      })}

      <label className="form-label" htmlFor={`${id}-reason`}>
        Reason for the amendment (required)
      </label>
      <textarea
        id={`${id}-reason`}
        data-testid="amend-reason"
        rows={2}
        value={reason}
        onChange={(event) => {
          setReason(event.target.value);
        }}
      />
      {problems.length > 0 && (
        <p className="error-text" role="alert">
          {problems.join(" ")}
        </p>
      )}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          data-testid="confirm-amend"
          disabled={trimmed === "" || !changed || problems.length > 0 || amend.isPending}
        >
          {amend.isPending ? "Amending…" : "Amend the order"}
        </button>
        <button type="button" onClick={onClose}>
          Discard changes
        </button>
        {!changed && <span className="muted">Change something to amend.</span>}
      </div>
      {amend.isError && (
        <p className="error-text" role="alert" data-testid="amend-error">
          The order was not amended: {describeError(amend.error)} Adjust the change and try again.
        </p>
      )}
    </form>
  );
}
