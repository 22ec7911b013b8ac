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

/** Columns sorted by text; "age" and the others by a number. */
const textKeys: Partial<Record<SortColumn, (row: QueueRow) => string>> = {
  order: (row) => row.entry.orderId,
  kind: (row) => row.entry.kind,
  queue: (row) => row.entry.queue ?? row.entry.reason ?? "",
  customer: (row) => row.customer,
  claimedBy: (row) => row.claimedBy,
};

const numberKeys: Partial<Record<SortColumn, (row: QueueRow) => number>> = {
  priority: (row) => row.priority,
  // Ascending age = the youngest first = the latest arrival first.
  age: (row) => -row.waitingSince,
  sla: (row) => row.slaDue,
};

const sortColumns = new Set<string>([...Object.keys(textKeys), ...Object.keys(numberKeys)]);

export function isSortColumn(id: string): id is SortColumn {
  return sortColumns.has(id);
}

/**
 * Each row's sort key as a number. Text becomes its position among the column's distinct
 * values: few distinct values (kinds, queues, customers) sort once, and the 100,000 rows then
 * compare numbers, several times faster than comparing strings row against row.
 */
function numericKeys(rows: readonly QueueRow[], column: SortColumn): Float64Array {
  const keys = new Float64Array(rows.length);
  const byNumber = numberKeys[column];
  if (byNumber !== undefined) {
    rows.forEach((row, i) => {
      keys[i] = byNumber(row);
    });
    return keys;
  }
  const byText = textKeys[column];
  if (byText === undefined) return keys;
  const texts = rows.map(byText);
  const distinct = [...new Set(texts)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const position = new Map(distinct.map((text, i) => [text, i]));
  texts.forEach((text, i) => {
    keys[i] = position.get(text) ?? 0;
  });
  return keys;
}

/** A sorted copy; ties (and no sorting at all) keep the desk's work order. */
export function sortRows(rows: readonly QueueRow[], sorting: QueueSorting): QueueRow[] {
  const first = sorting[0];
  if (first === undefined || !isSortColumn(first.id)) {
    return rows.slice().sort((a, b) => a.rank - b.rank);
  }
  const keys = numericKeys(rows, first.id);
  const sign = first.desc ? -1 : 1;
  // Decorated once, so the comparator reads two numbers of one small object.
  const decorated = rows.map((row, i) => ({ key: sign * (keys[i] ?? 0), rank: row.rank, row }));
  decorated.sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.rank - b.rank));
  return decorated.map((d) => d.row);
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
