/**
 * What a list screen shows instead of its rows: loading, empty, or why it could not be read.
 * The words and `data-testid`s stay the screen's; these keep the markup (and `aria-busy`,
 * `role="alert"`) the same everywhere.
 */
import type { ReactNode } from "react";

/** A list being read (`aria-busy`). */
export function Loading({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <p className="muted" aria-busy="true" data-testid={testId}>
      {children}
    </p>
  );
}

/** No rows, and what to do about it. */
export function Empty({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <p className="empty" data-testid={testId}>
      {children}
    </p>
  );
}

/** Why the list could not be read, with a retry button when the screen offers one. */
export function ErrorNotice({
  testId,
  children,
  retry,
}: {
  testId: string;
  children: ReactNode;
  retry?: { label: string; onRetry: () => void };
}) {
  return (
    <div className="notice error" role="alert" data-testid={testId}>
      {children}
      {retry !== undefined && (
        <>
          {" "}
          <button type="button" onClick={retry.onRetry}>
            {retry.label}
          </button>
        </>
      )}
    </div>
  );
}
