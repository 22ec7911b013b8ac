import type { QueueEntryDto } from "../../ipc/bindings.ts";

/**
 * The queue board's rows, prepared once per load so that filtering and sorting 100,000 entries
 * stay well under 100 ms: every key a filter or sort reads is computed here (a lower-case
 * search text, numeric priority and times), and the per-keystroke work is one pass of plain
 * comparisons. Pure functions only; `bench` measures them (queueRows.bench.ts).
 */
export interface QueueRow {
  entry: QueueEntryDto;
  /** Position in the desk's work order (overdue SLA first, then ageing rank...). */
  rank: number;
  /** Effective TMF priority as a number, 0 = most urgent. */
  priority: number;
  /** The same as the desk writes it ("0".."4"), for the priority filter. */
  effective: string;
  waitingSince: number;
  /** `Infinity` when the entry has no SLA, so it sorts last. */
  slaDue: number;
  /** Lower-case customer, order, queue, reason and reason codes, for the text search. */
  search: string;
  customer: string;
  claimedBy: string;
}

export interface QueueFilter {
  kind: string | null;
  /** The fine-grained queue (`review`, `creditReferral`...). */
  queue: string | null;
  /** A hold reason code (`ADDRESS_NOT_SERVICEABLE`...). */
  reasonCode: string | null;
  /** Effective priority "0".."4". */
  priority: string | null;
  text: string;
}

export const noFilter: QueueFilter = { kind: null, queue: null, reasonCode: null, priority: null, text: "" };

export type SortColumn = "order" | "kind" | "queue" | "priority" | "customer" | "age" | "sla" | "claimedBy";

/** TanStack Table's sorting state shape (one column at a time here). */
export type QueueSorting = { id: string; desc: boolean }[];

/** The priority that orders the work: the aged one when the server computed it. */
export function effectivePriority(entry: QueueEntryDto): string {
  return entry.effectivePriority ?? entry.priority;
}

function parseTime(iso: string | null, absent: number): number {
  if (iso === null) return absent;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? absent : ms;
}

export function prepareRows(entries: readonly QueueEntryDto[]): QueueRow[] {
  return entries.map((entry, rank) => {
    const customer = entry.customerName ?? entry.customerId;
    const codes = entry.reasons.map((reason) => reason.code).join(" ");
    const effective = effectivePriority(entry);
    return {
      entry,
      rank,
      priority: Number.parseInt(effective, 10) || 0,
      effective,
      waitingSince: parseTime(entry.waitingSince, 0),
      slaDue: parseTime(entry.slaDue, Number.POSITIVE_INFINITY),
      search: [
        entry.orderId,
        entry.customerId,
        entry.customerName ?? "",
        entry.queue ?? "",
        entry.reason ?? "",
        codes,
        entry.kind,
      ]
        .join(" ")
        .toLowerCase(),
      customer: customer.toLowerCase(),
      claimedBy: entry.claimedBy ?? "",
    };
  });
}

/** The rows that pass every filter, in the order given. Words of `text` must all appear. */
export function filterRows(rows: readonly QueueRow[], filter: QueueFilter): QueueRow[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter((word) => word !== "");
  const { kind, queue, reasonCode, priority } = filter;
  if (words.length === 0 && kind === null && queue === null && reasonCode === null && priority === null) {
    return rows.slice();
  }
  const out: QueueRow[] = [];
  outer: for (const row of rows) {
    const entry = row.entry;
    if (kind !== null && entry.kind !== kind) continue;
    if (queue !== null && entry.queue !== queue) continue;
    if (priority !== null && row.effective !== priority) continue;
    if (reasonCode !== null && !entry.reasons.some((reason) => reason.code === reasonCode)) continue;
    for (const word of words) {
      if (!row.search.includes(word)) continue outer;
    }
    out.push(row);
  }
  return out;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const comparators: Record<SortColumn, (a: QueueRow, b: QueueRow) => number> = {
  order: (a, b) => compareText(a.entry.orderId, b.entry.orderId),
  kind: (a, b) => compareText(a.entry.kind, b.entry.kind),
  queue: (a, b) => compareText(a.entry.queue ?? a.entry.reason ?? "", b.entry.queue ?? b.entry.reason ?? ""),
  priority: (a, b) => a.priority - b.priority,
  customer: (a, b) => compareText(a.customer, b.customer),
  // Ascending age = the youngest first = the latest arrival first.
  age: (a, b) => b.waitingSince - a.waitingSince,
  sla: (a, b) => (a.slaDue === b.slaDue ? 0 : a.slaDue < b.slaDue ? -1 : 1),
  claimedBy: (a, b) => compareText(a.claimedBy, b.claimedBy),
};

export function isSortColumn(id: string): id is SortColumn {
  return Object.hasOwn(comparators, id);
}

/** A sorted copy; ties (and no sorting at all) keep the desk's work order. */
export function sortRows(rows: readonly QueueRow[], sorting: QueueSorting): QueueRow[] {
  const first = sorting[0];
  const copy = rows.slice();
  if (first === undefined || !isSortColumn(first.id)) {
    return copy.sort((a, b) => a.rank - b.rank);
  }
  const compare = comparators[first.id];
  const sign = first.desc ? -1 : 1;
  return copy.sort((a, b) => sign * compare(a, b) || a.rank - b.rank);
}

/** The distinct values a filter can offer, sorted. */
export function filterOptions(rows: readonly QueueRow[]): {
  kinds: string[];
  queues: string[];
  reasonCodes: string[];
  priorities: string[];
} {
  const kinds = new Set<string>();
  const queues = new Set<string>();
  const reasonCodes = new Set<string>();
  const priorities = new Set<string>();
  for (const { entry } of rows) {
    kinds.add(entry.kind);
    if (entry.queue !== null) queues.add(entry.queue);
    for (const reason of entry.reasons) reasonCodes.add(reason.code);
    priorities.add(effectivePriority(entry));
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    kinds: sorted(kinds),
    queues: sorted(queues),
    reasonCodes: sorted(reasonCodes),
    priorities: sorted(priorities),
  };
}

/** Who holds an entry now; an expired lease is free (the server treats it so). */
export type ClaimState =
  | { kind: "free" }
  | { kind: "mine"; until: number | null }
  | { kind: "other"; by: string; until: number | null };

export function claimState(entry: QueueEntryDto, userId: string, now: number): ClaimState {
  if (entry.claimedBy === null) return { kind: "free" };
  const until = parseTime(entry.claimedUntil, Number.NaN);
  if (!Number.isNaN(until) && until <= now) return { kind: "free" };
  const lease = Number.isNaN(until) ? null : until;
  return entry.claimedBy === userId ? { kind: "mine", until: lease } : { kind: "other", by: entry.claimedBy, until: lease };
}
