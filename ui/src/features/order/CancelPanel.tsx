import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";

import { commands } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";

/** Asks for the order's cancellation, with the reason the customer gave (required). */
export function CancelPanel({
  orderId,
  onDone,
  onClose,
}: {
  orderId: string;
  onDone: () => void;
  onClose: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState("");
  const cancel = useMutation({
    mutationFn: (why: string) => call(commands.cancelOrder(orderId, why)),
    onSuccess: onDone,
  });
  const trimmed = reason.trim();
  return (
    <form
      className="panel action-form"
      data-testid="cancel-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed !== "") {
          cancel.mutate(trimmed);
        }
      }}
    >
      <h3>Cancel the order</h3>
      <p className="muted">
        Items whose delivery has passed the point of no return cannot be reversed; the outcome shows
        under Cancellation.
      </p>
      <label className="form-label" htmlFor={`${id}-reason`}>
        Reason (required)
      </label>
      <textarea
        id={`${id}-reason`}
        data-testid="cancel-reason"
        rows={2}
        value={reason}
        onChange={(event) => {
          setReason(event.target.value);
        }}
      />
      <div className="actions">
        <button type="submit" className="danger" data-testid="confirm-cancel" disabled={trimmed === "" || cancel.isPending}>
          {cancel.isPending ? "Asking…" : "Ask for cancellation"}
        </button>
        <button type="button" onClick={onClose}>
          Keep the order
        </button>
      </div>
      {cancel.isError && (
        <p className="error-text" role="alert" data-testid="cancel-error">
          The cancellation was not asked for: {describeError(cancel.error)} Check the order’s state and
          try again.
        </p>
      )}
    </form>
  );
}
