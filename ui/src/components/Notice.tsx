/** Notices above a screen's list. */

/** What the last action achieved (the entry may have left the list), until dismissed. */
export function DoneNotice({ message, testId, onDismiss }: { message: string; testId: string; onDismiss: () => void }) {
  return (
    <div className="notice ok" role="status" data-testid={testId}>
      {message}{" "}
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
