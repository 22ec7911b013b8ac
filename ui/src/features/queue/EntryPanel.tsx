import { useQuery } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";

import { ClaimButton, HoldReasons } from "../../components/Claim.tsx";
import { actionGroup } from "../../ipc/actions.ts";
import { commands, type QueueEntryDto } from "../../ipc/bindings.ts";
import { call, describeError, explainError } from "../../ipc/call.ts";
import { claimedByOther, claimState, leaseEnd } from "../../ipc/claim.ts";
import { formatDateTime, formatDuration, humanize, stateClass } from "../../ipc/format.ts";
import { useShortcutKeys } from "../../ipc/keyboard.ts";
import { keys } from "../../ipc/keys.ts";
import { ReasonDialog } from "./ReasonDialog.tsx";
import { effectivePriority } from "./queueRows.ts";
import { useEntryActions } from "./useQueue.ts";

interface EntryPanelProps {
  entry: QueueEntryDto;
  userId: string;
  now: number;
  onOpenOrder: (orderId: string) => void;
  onClose: () => void;
  /** Tells the board what an action achieved (the entry may leave the list). */
  onDone: (message: string) => void;
}

type Form = "resolve" | "deposit" | "note" | "reject" | "cancel" | null;

/**
 * Everything about one queue entry, and what can be done with it. Claim first: the actions
 * that change the order need the caller's running lease on the server, so they stay disabled,
 * with the reason shown, until this user holds it.
 */
export function EntryPanel({ entry, userId, now, onOpenOrder, onClose, onDone }: EntryPanelProps) {
  const actions = useEntryActions(entry.orderId);
  const [form, setForm] = useState<Form>(null);
  const claim = claimState(entry, userId, now);
  const holding = claim.kind === "mine";

  const detail = useQuery({
    queryKey: keys.order(entry.orderId),
    queryFn: () => call(commands.getOrder(entry.orderId)),
  });

  const { busy, failed, clearErrors } = actionGroup([
    actions.claim,
    actions.release,
    actions.resolve,
    actions.reject,
    actions.cancel,
    actions.recordDeposit,
    actions.addNote,
  ]);

  const needsClaim =
    claim.kind === "free"
      ? "Claim this entry to resolve, reject, cancel or record a deposit."
      : claim.kind === "other"
        ? claimedByOther(claim)
        : null;
  const isDepositWait = entry.queue === "deposit";

  function close() {
    setForm(null);
  }

  function finished(message: string) {
    return () => {
      setForm(null);
      onDone(`${entry.orderId}: ${message}`);
    };
  }

  function claimIt() {
    clearErrors();
    actions.claim.mutate();
  }

  useShortcutKeys((key) => {
    if (key === "c" && claim.kind === "free" && !busy) {
      claimIt();
      return true;
    }
    if (key === "o") {
      onOpenOrder(entry.orderId);
      return true;
    }
    return false;
  });

  function open(next: Form) {
    clearErrors();
    setForm(next);
  }

  return (
    <aside className="side-panel" aria-label={`Queue entry ${entry.orderId}`} data-testid="queue-panel">
      <div className="toolbar">
        <h3 className="mono">{entry.orderId}</h3>
        <span className={`badge kind-${entry.kind}`}>{humanize(entry.kind)}</span>
        <span className="spacer" />
        <button type="button" onClick={onClose} title="Close (Esc)" data-testid="queue-panel-close">
          ✕
        </button>
      </div>

      <dl>
        <dt>Customer</dt>
        <dd>
          {entry.customerName ?? "—"} <span className="muted mono">{entry.customerId}</span>
        </dd>
        <dt>Queue</dt>
        <dd>{entry.queue === null ? "—" : humanize(entry.queue)}</dd>
        <dt>Priority</dt>
        <dd>
          P{effectivePriority(entry)}
          {effectivePriority(entry) !== entry.priority && <span className="muted"> (ordered P{entry.priority})</span>}
        </dd>
        <dt>Waiting</dt>
        <dd>
          {formatDuration(now - Date.parse(entry.waitingSince))}{" "}
          <span className="muted">since {formatDateTime(entry.waitingSince)}</span>
        </dd>
        <dt>SLA due</dt>
        <dd>{entry.slaDue === null ? "—" : formatDateTime(entry.slaDue)}</dd>
        {entry.jeopardy !== null && (
          <>
            <dt>Jeopardy</dt>
            <dd className="sla-overdue">{entry.jeopardy}</dd>
          </>
        )}
        <dt>Claim</dt>
        <dd data-testid="queue-claim-state">
          {claim.kind === "free" && "Not claimed"}
          {claim.kind === "mine" && (
            <span className="claim-mine">You hold it{leaseEnd(claim.until)}</span>
          )}
          {claim.kind === "other" && (
            <span className="claim-other">
              Claimed by {claim.by}
              {leaseEnd(claim.until)}
            </span>
          )}
        </dd>
      </dl>

      <h4>Reasons</h4>
      {entry.reasons.length === 0 ? (
        <p className="muted">{entry.reason ?? "No reason recorded."}</p>
      ) : (
        <HoldReasons reasons={entry.reasons} testId="queue-reasons" />
      )}

      <h4>Actions</h4>
      <div className="actions">
        <ClaimButton
          claim={claim}
          busy={busy}
          claiming={actions.claim.isPending}
          testIdPrefix="queue"
          onClaim={claimIt}
          onRelease={() => {
            clearErrors();
            actions.release.mutate();
          }}
        />
        <button type="button" disabled={!holding || busy} data-testid="queue-resolve" onClick={() => { open("resolve"); }}>
          Resolve…
        </button>
        <button type="button" disabled={!holding || busy} data-testid="queue-reject" onClick={() => { open("reject"); }}>
          Reject…
        </button>
        <button type="button" disabled={!holding || busy} data-testid="queue-cancel" onClick={() => { open("cancel"); }}>
          Cancel order…
        </button>
        {isDepositWait && (
          <button type="button" disabled={!holding || busy} data-testid="queue-deposit" onClick={() => { open("deposit"); }}>
            Record deposit…
          </button>
        )}
        <button type="button" disabled={busy} data-testid="queue-note" onClick={() => { open("note"); }}>
          Add note…
        </button>
        <button type="button" data-testid="queue-open-order" onClick={() => { onOpenOrder(entry.orderId); }}>
          Open order
        </button>
      </div>
      {needsClaim !== null && (
        <p className="explain" data-testid="queue-needs-claim">
          {needsClaim}
        </p>
      )}
      {failed !== undefined && form !== "reject" && form !== "cancel" && (
        <p className="notice error" role="alert" data-testid="queue-action-error">
          {explainError(failed.error)}
        </p>
      )}

      {form === "resolve" && (
        <TextForm
          title="Resolve the hold"
          fields={[
            { name: "reason", label: "Reason (required)", required: true },
            { name: "note", label: "Note (optional)", required: false },
          ]}
          submitLabel="Resolve"
          pending={actions.resolve.isPending}
          testId="queue-resolve-form"
          onCancel={close}
          onSubmit={(values) => {
            actions.resolve.mutate(
              { reason: values["reason"] ?? "", note: optional(values["note"]) },
              { onSuccess: finished("hold resolved; the order is validated again.") },
            );
          }}
        />
      )}
      {form === "deposit" && (
        <TextForm
          title="Record the deposit"
          fields={[
            { name: "reference", label: "Payment reference (required)", required: true },
            { name: "note", label: "Note (optional)", required: false },
          ]}
          submitLabel="Record deposit"
          pending={actions.recordDeposit.isPending}
          testId="queue-deposit-form"
          onCancel={close}
          onSubmit={(values) => {
            actions.recordDeposit.mutate(
              { reference: values["reference"] ?? "", note: optional(values["note"]) },
              { onSuccess: finished("deposit recorded; the order is released.") },
            );
          }}
        />
      )}
      {form === "note" && (
        <TextForm
          title="Add a note to the order"
          fields={[{ name: "text", label: "Note (required)", required: true }]}
          submitLabel="Add note"
          pending={actions.addNote.isPending}
          testId="queue-note-form"
          onCancel={close}
          onSubmit={(values) => {
            actions.addNote.mutate(values["text"] ?? "", { onSuccess: finished("note added.") });
          }}
        />
      )}
      {form === "reject" && (
        <ReasonDialog
          title={`Reject ${entry.orderId}?`}
          consequence="The order is rejected before acceptance and leaves the queue. The customer is told the reason."
          confirmLabel="Reject order"
          pending={actions.reject.isPending}
          error={actions.reject.isError ? explainError(actions.reject.error) : null}
          onClose={() => {
            actions.reject.reset();
            close();
          }}
          onConfirm={(reason) => {
            actions.reject.mutate(reason, { onSuccess: finished("order rejected.") });
          }}
        />
      )}
      {form === "cancel" && (
        <ReasonDialog
          title={`Cancel ${entry.orderId}?`}
          consequence="The order is cancelled and leaves the queue. This cannot be undone."
          confirmLabel="Cancel order"
          pending={actions.cancel.isPending}
          error={actions.cancel.isError ? explainError(actions.cancel.error) : null}
          onClose={() => {
            actions.cancel.reset();
            close();
          }}
          onConfirm={(reason) => {
            actions.cancel.mutate(reason, { onSuccess: finished("order cancelled.") });
          }}
        />
      )}

      <h4>Order</h4>
      {detail.isPending && <p className="muted">Loading the order…</p>}
      {detail.isError && (
        <p className="muted" data-testid="queue-order-error">
          The order is not readable on this desk: {describeError(detail.error)}
        </p>
      )}
      {detail.isSuccess && (
        <>
          <p>
            <span className={stateClass(detail.data.row.state)}>{humanize(detail.data.row.state)}</span>{" "}
            {detail.data.stateReason !== null && <span className="muted">{detail.data.stateReason}</span>}
          </p>
          <p className="muted">
            {detail.data.row.items} item{detail.data.row.items === 1 ? "" : "s"}
            {detail.data.row.address !== null && ` · ${detail.data.row.address}`}
          </p>
          <h4>Notes</h4>
          {detail.data.notes.length === 0 ? (
            <p className="muted">No notes yet.</p>
          ) : (
            <ul data-testid="queue-notes">
              {detail.data.notes.map((note) => (
                <li key={`${note.at}-${note.author}`}>
                  <span className="muted">
                    {formatDateTime(note.at)} · {note.author}:
                  </span>{" "}
                  {note.text}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  );
}

/** An optional field: empty means absent. */
function optional(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}

interface TextField {
  name: string;
  label: string;
  required: boolean;
}

function TextForm({
  title,
  fields,
  submitLabel,
  pending,
  testId,
  onSubmit,
  onCancel,
}: {
  title: string;
  fields: TextField[];
  submitLabel: string;
  pending: boolean;
  testId: string;
  onSubmit: (values: Partial<Record<string, string>>) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Partial<Record<string, string>>>({});
  const trimmed = (name: string) => (values[name] ?? "").trim();
  const complete = fields.every((field) => !field.required || trimmed(field.name) !== "");

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!complete || pending) return;
    onSubmit(Object.fromEntries(fields.map((field) => [field.name, trimmed(field.name)])));
  }

  return (
    <form
      className="inline-form"
      data-testid={testId}
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <strong>{title}</strong>
      {fields.map((field, i) => (
        <label key={field.name}>
          {field.label}
          <input
            name={field.name}
            autoFocus={i === 0}
            value={values[field.name] ?? ""}
            data-testid={`${testId}-${field.name}`}
            onChange={(event) => {
              setValues({ ...values, [field.name]: event.target.value });
            }}
          />
        </label>
      ))}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel}>
          Back
        </button>
        <button type="submit" className="primary" disabled={!complete || pending} data-testid={`${testId}-submit`}>
          {pending ? "Working…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
