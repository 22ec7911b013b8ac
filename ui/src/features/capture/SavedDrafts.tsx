import { useQuery } from "@tanstack/react-query";

import { commands, type DraftDto } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";
import { formatTime } from "../../ipc/time.ts";

/** Drafts kept on this desk, newest first, to pick up again. */
export function SavedDrafts({ onResume }: { onResume: (draft: DraftDto) => void }) {
  const drafts = useQuery({
    queryKey: keys.drafts,
    queryFn: () => call(commands.listDrafts()),
  });
  if (drafts.isPending) {
    return <p className="muted">Loading saved drafts…</p>;
  }
  if (drafts.isError) {
    return (
      <p className="error-text" role="alert">
        Saved drafts could not be read: {describeError(drafts.error)}{" "}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            void drafts.refetch();
          }}
        >
          Try again
        </button>
      </p>
    );
  }
  if (drafts.data.length === 0) {
    return <p className="muted">No saved drafts. “Save draft” keeps one here to finish later.</p>;
  }
  return (
    <ul className="pick-list" data-testid="saved-drafts">
      {drafts.data.map((draft) => (
        <li key={draft.id}>
          <button
            type="button"
            className="pick-row"
            data-testid={`draft-${draft.id}`}
            onClick={() => {
              onResume(draft);
            }}
          >
            <strong>{draft.customerId}</strong> · {draft.items.length} item
            {draft.items.length === 1 ? "" : "s"}
            {draft.quoteId !== null && ` · quote ${draft.quoteId}`}
            <br />
            <span className="muted">
              {draft.description ?? draft.items.map((i) => `${i.action} ${i.offeringId ?? "?"}`).join(", ")}{" "}
              · {formatTime(draft.orderDate)} · {draft.id}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
