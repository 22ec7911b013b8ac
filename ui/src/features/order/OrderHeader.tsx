import type { OrderDetailDto } from "../../ipc/bindings.ts";
import { stateClass, syncClass } from "../../ipc/format.ts";
import { formatTime } from "../../ipc/time.ts";

const SYNC_LABEL: Record<string, string> = {
  draft: "Draft, not submitted",
  awaitingSync: "Awaiting sync",
  synced: "Synced",
  rejected: "Rejected by the server",
  conflict: "Conflict",
};

const SYNC_HELP: Record<string, string> = {
  awaitingSync: "Stored on this desk; it is sent as soon as the server can be reached.",
  conflict: "The order changed on the server while this desk had a change of its own: resolve it below.",
  rejected: "The server refused this desk's change. Read the reason, then amend or cancel the order.",
};

/** The order's identity, state and where its synchronisation stands. */
export function OrderHeader({ detail, onBack }: { detail: OrderDetailDto; onBack: () => void }) {
  const { row } = detail;
  return (
    <header className="panel order-header">
      <div className="order-title">
        <button type="button" className="link-button" data-testid="order-back" onClick={onBack}>
          ← Back
        </button>
        <h2>
          Order {row.serverId ?? row.id}{" "}
          <span className={stateClass(row.state)} data-testid="order-state">
            {row.state}
          </span>{" "}
          <span className={syncClass(row.syncStatus)} data-testid="sync-status">
            {SYNC_LABEL[row.syncStatus] ?? row.syncStatus}
          </span>
        </h2>
      </div>
      <dl className="order-facts">
        <div>
          <dt>Customer</dt>
          <dd>
            {row.customerName ?? "—"} <span className="muted">({row.customerId})</span>
          </dd>
        </div>
        <div>
          <dt>Address</dt>
          <dd>{row.address ?? "—"}</dd>
        </div>
        <div>
          <dt>Ordered</dt>
          <dd>{formatTime(row.orderDate)}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{row.priority}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd title={`This desk's copy: version ${String(row.version)}`}>
            {row.serverVersion ?? row.version}
            {row.serverVersion === null && <span className="muted"> (not on the server yet)</span>}
          </dd>
        </div>
        <div>
          <dt>Local id</dt>
          <dd>{row.id}</dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>
            {formatTime(detail.content.requestedStartDate)} → {formatTime(detail.content.requestedCompletionDate)}
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatTime(row.updatedAt)}</dd>
        </div>
      </dl>
      {detail.content.description !== null && (
        <p className="order-description" data-testid="order-description">
          {detail.content.description}
        </p>
      )}
      {SYNC_HELP[row.syncStatus] !== undefined && (
        <p className={`sync-help sync-help-${row.syncStatus}`} data-testid="sync-help">
          {SYNC_HELP[row.syncStatus]}
          {row.syncStatus === "rejected" && row.syncError !== null && (
            <>
              {" "}
              <strong data-testid="sync-error">Server’s reason: {row.syncError}</strong>
            </>
          )}
        </p>
      )}
      {detail.stateReason !== null && (
        <p data-testid="state-reason">
          <strong>Why {row.state}:</strong> {detail.stateReason}
        </p>
      )}
      {row.lastError !== null && row.syncStatus !== "rejected" && (
        <p className="error-text" data-testid="last-error">
          Last sync attempt failed: {row.lastError}. The desk retries by itself.
        </p>
      )}
    </header>
  );
}
