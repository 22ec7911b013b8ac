import type { SortingState } from "@tanstack/react-table";
import { useDeferredValue, useMemo, useState } from "react";

import { FilterSelect } from "../../components/FilterSelect.tsx";
import { Empty, ErrorNotice, Loading } from "../../components/ListStatus.tsx";
import { DoneNotice } from "../../components/Notice.tsx";
import type { SessionDto } from "../../ipc/bindings.ts";
import { explainError } from "../../ipc/call.ts";
import { humanizedOption, useNow } from "../../ipc/format.ts";
import { useShortcutKeys } from "../../ipc/keyboard.ts";
import { EntryPanel } from "./EntryPanel.tsx";
import { QueueTable } from "./QueueTable.tsx";
import { filterOptions, filterRows, noFilter, prepareRows, sortRows, type QueueFilter } from "./queueRows.ts";
import { useQueueEntries, useRefreshQueue } from "./useQueue.ts";

interface QueueBoardProps {
  session: SessionDto;
  onOpenOrder: (orderId: string) => void;
}

/**
 * The held queue and jeopardy board for the back office: every mirrored entry, filtered,
 * searched and sorted on the client, with the selected entry's panel beside it. The mirror is
 * refreshed from the server when the board opens and on Refresh; `queue-changed` keeps it live.
 */
export function QueueBoard({ session, onOpenOrder }: QueueBoardProps) {
  const entries = useQueueEntries();
  const refresh = useRefreshQueue();
  const now = useNow(1000);
  const [filter, setFilter] = useState<QueueFilter>(noFilter);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // Typing stays responsive: the list follows the search text a frame behind if it must.
  const text = useDeferredValue(filter.text);

  const rows = useMemo(() => prepareRows(entries.data ?? []), [entries.data]);
  const options = useMemo(() => filterOptions(rows), [rows]);
  const sorted = useMemo(() => sortRows(rows, sorting), [rows, sorting]);
  const visible = useMemo(() => filterRows(sorted, { ...filter, text }), [sorted, filter, text]);
  const selected = useMemo(
    () => (selectedId === null ? undefined : rows.find((row) => row.entry.orderId === selectedId)),
    [rows, selectedId],
  );

  function move(step: number) {
    if (visible.length === 0) return;
    const index = visible.findIndex((row) => row.entry.orderId === selectedId);
    const next = index < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, index + step));
    const row = visible[next];
    if (row !== undefined) setSelectedId(row.entry.orderId);
  }

  useShortcutKeys((key) => {
    switch (key) {
      case "ArrowDown":
      case "j":
        move(1);
        return true;
      case "ArrowUp":
      case "k":
        move(-1);
        return true;
      case "Enter":
        if (selectedId === null) return false;
        onOpenOrder(selectedId);
        return true;
      case "Escape":
        if (selectedId === null) return false;
        setSelectedId(null);
        return true;
      case "R":
        refresh.mutate();
        return true;
      default:
        return false;
    }
  });

  const update = (patch: Partial<QueueFilter>) => {
    setFilter((current) => ({ ...current, ...patch }));
  };
  const filtered =
    filter.kind !== null || filter.queue !== null || filter.reasonCode !== null || filter.priority !== null || text !== "";

  return (
    <section className="screen" aria-labelledby="queue-title" data-testid="screen-queue">
      <div className="toolbar">
        <h2 id="queue-title">Held queue &amp; jeopardy</h2>
        <input
          type="search"
          placeholder="Search customer, order, reason… ( / )"
          aria-label="Search the queue"
          value={filter.text}
          data-shortcut="search"
          data-testid="queue-search"
          onChange={(event) => {
            update({ text: event.target.value });
          }}
        />
        <FilterSelect
          label="Kind"
          testId="queue-filter-kind"
          value={filter.kind}
          anyLabel="all"
          options={options.kinds.map(humanizedOption)}
          onChange={(kind) => {
            update({ kind });
          }}
        />
        <FilterSelect
          label="Queue"
          testId="queue-filter-queue"
          value={filter.queue}
          anyLabel="all"
          options={options.queues.map(humanizedOption)}
          onChange={(queue) => {
            update({ queue });
          }}
        />
        <FilterSelect
          label="Reason"
          testId="queue-filter-reason"
          value={filter.reasonCode}
          anyLabel="all"
          options={options.reasonCodes}
          onChange={(reasonCode) => {
            update({ reasonCode });
          }}
        />
        <FilterSelect
          label="Priority"
          testId="queue-filter-priority"
          value={filter.priority}
          anyLabel="all"
          options={options.priorities.map((p) => ({ value: p, label: `P${p}` }))}
          onChange={(priority) => {
            update({ priority });
          }}
        />
        {filtered && (
          <button
            type="button"
            data-testid="queue-clear-filters"
            onClick={() => {
              setFilter(noFilter);
            }}
          >
            Clear
          </button>
        )}
        <span className="spacer" />
        {entries.isSuccess && (
          <span className="muted" data-testid="queue-count">
            {visible.length === rows.length
              ? `${String(rows.length)} entries`
              : `${String(visible.length)} of ${String(rows.length)} entries`}
          </span>
        )}
        <button
          type="button"
          data-testid="queue-refresh"
          title="Refresh from the server (Shift+R)"
          disabled={refresh.isPending}
          onClick={() => {
            refresh.mutate();
          }}
        >
          {refresh.isPending ? "Refreshing…" : "Refresh"}
        </button>
      </div>

      {refresh.isError && (
        <div className="notice warn" role="status" data-testid="queue-refresh-error">
          Could not refresh from the server, so this is the queue as last mirrored: {explainError(refresh.error)}
        </div>
      )}

      {done !== null && (
        <DoneNotice
          message={done}
          testId="queue-done"
          onDismiss={() => {
            setDone(null);
          }}
        />
      )}

      {entries.isError && entries.data !== undefined && (
        <ErrorNotice testId="queue-error">
          Could not re-read the queue, so this is the list as it was: {explainError(entries.error)}
        </ErrorNotice>
      )}

      {entries.isPending ? (
        <Loading testId="queue-loading">Loading the queue…</Loading>
      ) : entries.data === undefined ? (
        <ErrorNotice testId="queue-error">Could not read the queue: {explainError(entries.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <Empty testId="queue-empty">
          {refresh.isPending
            ? "Reading the queues from the server…"
            : "The queues are empty: no held, pending, cancellation or jeopardy orders."}
        </Empty>
      ) : (
        <div className="queue-body">
          {visible.length === 0 ? (
            <p className="empty queue-table" data-testid="queue-no-match">
              No entry matches these filters.{" "}
              <button
                type="button"
                onClick={() => {
                  setFilter(noFilter);
                }}
              >
                Clear filters
              </button>
            </p>
          ) : (
            <QueueTable
              rows={visible}
              sorting={sorting}
              onSortingChange={setSorting}
              selectedId={selectedId}
              onSelect={setSelectedId}
              onOpen={onOpenOrder}
              userId={session.userId}
              now={now}
            />
          )}
          {selected !== undefined && (
            <EntryPanel
              key={selected.entry.orderId}
              entry={selected.entry}
              userId={session.userId}
              now={now}
              onOpenOrder={onOpenOrder}
              onClose={() => {
                setSelectedId(null);
              }}
              onDone={setDone}
            />
          )}
        </div>
      )}
    </section>
  );
}
