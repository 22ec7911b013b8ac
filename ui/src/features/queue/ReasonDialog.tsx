import { useEffect, useId, useRef, useState, type SubmitEvent } from "react";

interface ReasonDialogProps {
  title: string;
  /** What confirming does, said before the person commits to it. */
  consequence: string;
  confirmLabel: string;
  pending: boolean;
  /** The failure of the last attempt, already explained. */
  error: string | null;
  onConfirm: (reason: string) => void;
  onClose: () => void;
}

/** A confirmation that needs a reason (reject, cancel): Esc closes, Enter confirms. */
export function ReasonDialog({ title, consequence, confirmLabel, pending, error, onConfirm, onClose }: ReasonDialogProps) {
  const id = useId();
  const [reason, setReason] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  const trimmed = reason.trim();

  useEffect(() => {
    input.current?.focus();
  }, []);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (trimmed !== "" && !pending) onConfirm(trimmed);
  }

  return (
    <div
      className="overlay"
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="reason-dialog"
        onSubmit={submit}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        <p>{consequence}</p>
        <label>
          Reason (required)
          <textarea
            ref={input}
            rows={3}
            value={reason}
            data-testid="reason-dialog-input"
            onChange={(event) => {
              setReason(event.target.value);
            }}
            onKeyDown={(event) => {
              if (event.key === "Enter" && !event.shiftKey) {
                event.preventDefault();
                event.currentTarget.form?.requestSubmit();
              }
            }}
          />
        </label>
        {error !== null && (
          <p className="notice error" role="alert" data-testid="reason-dialog-error">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" data-testid="reason-dialog-cancel" onClick={onClose}>
            Back
          </button>
          <button type="submit" className="danger" disabled={trimmed === "" || pending} data-testid="reason-dialog-confirm">
            {pending ? "Working…" : confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
