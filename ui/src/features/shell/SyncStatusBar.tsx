import type { SyncStatusDto } from "../../ipc/bindings.ts";
import { describeError, explainError } from "../../ipc/call.ts";
import { formatDateTime } from "../../ipc/format.ts";
import { useLatestSyncNow, useSyncNow, useSyncStatus } from "./sync.ts";

function pendingLabel(status: SyncStatusDto): string {
  if (status.pending === 0) return "All changes synced";
  return status.pending === 1 ? "1 change awaits sync" : `${String(status.pending)} changes await sync`;
}

/** The header's sync part: online/offline, the outbox, the last error, and "Sync now". */
export function SyncStatusBar() {
  const status = useSyncStatus();
  const syncNow = useSyncNow();
  const latest = useLatestSyncNow();

  if (status.isPending) {
    return (
      <div className="sync-status" data-testid="status-bar" aria-busy="true">
        <span className="muted">Reading sync status…</span>
      </div>
    );
  }
  if (status.isError) {
    return (
      <div className="sync-status" data-testid="status-bar">
        <span className="status-error" role="alert" data-testid="status-error">
          Sync status unavailable: {describeError(status.error)}
        </span>
        <button
          type="button"
          onClick={() => {
            void status.refetch();
          }}
        >
          Retry
        </button>
      </div>
    );
  }

  const s = status.data;
  return (
    <div className="sync-status" data-testid="status-bar">
      <span
        className={s.online ? "connection online" : "connection offline"}
        data-testid="status-online"
        data-online={s.online}
        title={s.lastSync === null ? "Never synced" : `Last sync ${formatDateTime(s.lastSync)}`}
      >
        {s.online ? "Online" : "Offline"}
      </span>
      <span className={s.pending > 0 ? "pending has-pending" : "pending"} data-testid="status-pending">
        {pendingLabel(s)}
      </span>
      <span className="muted" data-testid="status-last-sync">
        {s.lastSync === null ? "Never synced" : `Last sync ${formatDateTime(s.lastSync)}`}
      </span>
      {s.needsAttention > 0 && (
        <span className="attention" data-testid="status-attention">
          {s.needsAttention} need{s.needsAttention === 1 ? "s" : ""} attention
        </span>
      )}
      {s.lastError !== null && (
        <span className="status-error" data-testid="status-last-error" title={s.lastError}>
          Last error: {s.lastError}
        </span>
      )}
      {latest.error !== null && (
        <span className="status-error" role="alert" data-testid="status-sync-error">
          Sync failed: {explainError(latest.error)}
        </span>
      )}
      <button
        type="button"
        data-testid="status-sync-now"
        disabled={latest.running}
        onClick={() => {
          syncNow.mutate();
        }}
      >
        {latest.running ? "Syncing…" : "Sync now"}
      </button>
    </div>
  );
}
