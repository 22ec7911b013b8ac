import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef } from "react";

import { ClaimHolder } from "../../components/Claim.tsx";
import { claimState } from "../../ipc/claim.ts";
import { formatDateTime, formatDuration, humanize } from "../../ipc/format.ts";
import { effectivePriority, type QueueRow } from "./queueRows.ts";

const ROW_HEIGHT = 26;

interface QueueTableProps {
  /** Already filtered and sorted (queueRows.ts): the table only draws a window of them. */
  rows: readonly QueueRow[];
  sorting: SortingState;
  onSortingChange: OnChangeFn<SortingState>;
  selectedId: string | null;
  onSelect: (orderId: string) => void;
  onOpen: (orderId: string) => void;
  userId: string;
  now: number;
}

function slaCell(slaDue: number, now: number) {
  if (!Number.isFinite(slaDue)) return <span className="muted">—</span>;
  const left = slaDue - now;
  if (left <= 0) return <span className="sla-overdue">overdue {formatDuration(left)}</span>;
  return <span className={left < 3_600_000 ? "sla-soon" : undefined}>{formatDuration(left)} left</span>;
}

/**
 * The held queue and jeopardy board's table. TanStack Virtual decides which rows are in view,
 * and only those become TanStack Table rows, so 100,000 entries cost what 40 do; sorting and
 * filtering are done before (manual mode) on rows prepared once.
 */
export function QueueTable({ rows, sorting, onSortingChange, selectedId, onSelect, onOpen, userId, now }: QueueTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The app is not built with React Compiler, so nothing memoises around the virtualiser.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const windowRows = useMemo(
    () => items.map((item) => rows[item.index]).filter((row) => row !== undefined),
    [items, rows],
  );

  // Accessors give TanStack Table the sort keys (it marks a column sortable by them); the
  // sorting itself happens before, in sortRows.
  const columns = useMemo<ColumnDef<QueueRow>[]>(
    () => [
      {
        id: "order",
        accessorFn: (row) => row.entry.orderId,
        header: "Order",
        size: 110,
        cell: ({ row }) => <span className="mono">{row.original.entry.orderId}</span>,
      },
      {
        id: "kind",
        accessorFn: (row) => row.entry.kind,
        header: "Kind",
        size: 110,
        cell: ({ row }) => {
          const kind = row.original.entry.kind;
          return <span className={`badge kind-${kind}`}>{humanize(kind)}</span>;
        },
      },
      {
        id: "queue",
        accessorFn: (row) => row.entry.queue ?? row.entry.reason ?? "",
        header: "Queue / reason",
        size: 240,
        cell: ({ row }) => {
          const { queue, reason } = row.original.entry;
          return (
            <span title={reason ?? undefined}>
              {queue !== null && <strong>{humanize(queue)}</strong>}
              {queue !== null && reason !== null && " · "}
              {reason}
            </span>
          );
        },
      },
      {
        id: "priority",
        accessorFn: (row) => row.priority,
        header: "Priority",
        size: 70,
        cell: ({ row }) => {
          const entry = row.original.entry;
          const effective = effectivePriority(entry);
          return (
            <span title={effective === entry.priority ? undefined : `Ordered at P${entry.priority}, aged to P${effective}`}>
              P{effective}
              {effective !== entry.priority && <span className="muted"> ↑</span>}
            </span>
          );
        },
      },
      {
        id: "customer",
        accessorFn: (row) => row.customer,
        header: "Customer",
        size: 180,
        cell: ({ row }) => row.original.entry.customerName ?? row.original.entry.customerId,
      },
      {
        id: "age",
        accessorFn: (row) => row.waitingSince,
        header: "Age",
        size: 80,
        cell: ({ row }) => (
          <span title={`Waiting since ${formatDateTime(row.original.entry.waitingSince)}`}>
            {formatDuration(now - row.original.waitingSince)}
          </span>
        ),
      },
      {
        id: "sla",
        accessorFn: (row) => row.slaDue,
        header: "SLA",
        size: 120,
        cell: ({ row }) => slaCell(row.original.slaDue, now),
      },
      {
        id: "claimedBy",
        accessorFn: (row) => row.claimedBy,
        header: "Claimed by",
        size: 140,
        cell: ({ row }) => {
          return <ClaimHolder claim={claimState(row.original.entry, userId, now)} />;
        },
      },
    ],
    [now, userId],
  );

  const table = useReactTable({
    data: windowRows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.entry.orderId,
    manualSorting: true,
    manualFiltering: true,
    enableMultiSort: false,
    sortDescFirst: false,
    enableSortingRemoval: true,
    state: { sorting },
    onSortingChange,
  });

  const selectedIndex = useMemo(
    () => (selectedId === null ? -1 : rows.findIndex((row) => row.entry.orderId === selectedId)),
    [rows, selectedId],
  );
  useEffect(() => {
    if (selectedIndex >= 0) {
      virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
    }
  }, [selectedIndex, virtualizer]);

  const tableRows = table.getRowModel().rows;
  const first = items[0];
  const last = items[items.length - 1];
  const paddingTop = first === undefined ? 0 : first.start;
  const paddingBottom = last === undefined ? 0 : virtualizer.getTotalSize() - last.end;

  return (
    <div className="queue-table" ref={scrollRef} data-testid="queue-table">
      <table className="grid" aria-rowcount={rows.length + 1}>
        <colgroup>
          {table.getVisibleLeafColumns().map((column) => (
            <col key={column.id} style={{ width: column.getSize() }} />
          ))}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    className="sortable"
                    aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}
                    data-testid={`queue-sort-${header.column.id}`}
                    tabIndex={0}
                    title="Sort (click again to reverse, a third time for work order)"
                    onClick={header.column.getToggleSortingHandler()}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" || event.key === " ") {
                        event.preventDefault();
                        header.column.toggleSorting(undefined, false);
                      }
                    }}
                  >
                    {flexRender(header.column.columnDef.header, header.getContext())}
                    {sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {paddingTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns.length} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          )}
          {tableRows.map((row, i) => {
            const orderId = row.original.entry.orderId;
            return (
              <tr
                key={row.id}
                aria-rowindex={(items[i]?.index ?? 0) + 2}
                aria-selected={orderId === selectedId}
                className={
                  row.original.slaDue <= now
                    ? "clickable row-overdue"
                    : row.original.entry.jeopardy !== null || row.original.entry.kind === "jeopardy"
                      ? "clickable row-jeopardy"
                      : "clickable"
                }
                data-testid={`queue-row-${orderId}`}
                onClick={() => {
                  onSelect(orderId);
                }}
                onDoubleClick={() => {
                  onOpen(orderId);
                }}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns.length} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
