import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";

import { commands, type CharacteristicDto, type DraftDto, type DraftItemDto } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";
import { CharacteristicField, DateTimeField, Field, SelectField } from "../../components/Field.tsx";

const PRIORITIES = ["0", "1", "2", "3", "4"] as const;

function blankToNull(value: string): string | null {
  return value.trim() === "" ? null : value;
}

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
        <SelectField
          label="Priority"
          testId="amend-priority"
          options={PRIORITIES}
          value={draft.priority}
          onChange={(priority) => {
            setDraft({ ...draft, priority });
          }}
        />
        <DateTimeField
          label="Requested start"
          testId="amend-requested-start"
          value={draft.requestedStartDate}
          onChange={(requestedStartDate) => {
            setDraft({ ...draft, requestedStartDate });
          }}
        />
        <DateTimeField
          label="Requested completion"
          testId="amend-requested-completion"
          value={draft.requestedCompletionDate}
          onChange={(requestedCompletionDate) => {
            setDraft({ ...draft, requestedCompletionDate });
          }}
        />
        <Field
          label="Description"
          testId="amend-description"
          value={draft.description ?? ""}
          onChange={(value) => {
            setDraft({ ...draft, description: blankToNull(value) });
          }}
        />
      </div>

      {draft.items.map((item) => {
        const locked = lockedItems.get(item.id);
        const isRemoved = removed.has(item.id);
        const lastLeft = !isRemoved && next.items.length === 1;
        const appointment = item.appointment;
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
              <Field
                label="Service address (place id)"
                testId={`amend-place-${item.id}`}
                value={item.placeId ?? ""}
                onChange={(value) => {
                  setItem(item.id, { placeId: blankToNull(value) });
                }}
              />
              {item.characteristics.map((c) => (
                <CharacteristicField
                  key={c.name}
                  characteristic={c}
                  testId={`amend-char-${item.id}-${c.name}`}
                  onChange={(value) => {
                    setItem(item.id, {
                      characteristics: item.characteristics.map((x) => (x.name === c.name ? { ...x, value } : x)),
                    });
                  }}
                />
              ))}
              {appointment !== null && (
                <>
                  <DateTimeField
                    label="Appointment from"
                    testId={`amend-appointment-start-${item.id}`}
                    value={appointment.start}
                    onChange={(start) => {
                      setItem(item.id, { appointment: { ...appointment, start: start ?? "" } });
                    }}
                  />
                  <DateTimeField
                    label="Appointment to"
                    testId={`amend-appointment-end-${item.id}`}
                    value={appointment.end}
                    onChange={(end) => {
                      setItem(item.id, { appointment: { ...appointment, end: end ?? "" } });
                    }}
                  />
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
