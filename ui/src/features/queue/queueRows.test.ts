import { describe, expect, it } from "vitest";

import { queueEntry } from "../../test/queue.ts";
import { filterOptions, filterRows, noFilter, prepareRows, sortRows } from "./queueRows.ts";

const rows = prepareRows([
  queueEntry("PO-1", { customerName: "Jansen", priority: "3", effectivePriority: "1", waitingSince: "2026-11-26T10:00:00Z" }),
  queueEntry("PO-2", {
    kind: "pending",
    queue: "deposit",
    customerName: "Bakker",
    priority: "2",
    effectivePriority: null,
    reason: "deposit required",
    reasons: [{ code: "CREDIT_DEPOSIT_REQUIRED", message: "Deposit of 150 EUR." }],
    waitingSince: "2026-11-26T12:00:00Z",
    slaDue: "2026-11-27T12:00:00Z",
  }),
  queueEntry("PO-3", { kind: "jeopardy", queue: null, customerName: "de Vries", priority: "0", effectivePriority: null, slaDue: "2026-11-26T11:00:00Z" }),
]);
const ids = (list: { entry: { orderId: string } }[]) => list.map((row) => row.entry.orderId);

describe("queue rows", () => {
  it("filters by kind, queue, reason code and effective priority", () => {
    expect(ids(filterRows(rows, { ...noFilter, kind: "pending" }))).toEqual(["PO-2"]);
    expect(ids(filterRows(rows, { ...noFilter, queue: "review" }))).toEqual(["PO-1"]);
    expect(ids(filterRows(rows, { ...noFilter, reasonCode: "CREDIT_DEPOSIT_REQUIRED" }))).toEqual(["PO-2"]);
    expect(ids(filterRows(rows, { ...noFilter, priority: "1" }))).toEqual(["PO-1"]);
    expect(ids(filterRows(rows, noFilter))).toEqual(["PO-1", "PO-2", "PO-3"]);
  });

  it("searches every word across customer, order and reason, in any case", () => {
    expect(ids(filterRows(rows, { ...noFilter, text: "VRIES" }))).toEqual(["PO-3"]);
    expect(ids(filterRows(rows, { ...noFilter, text: "deposit bakker" }))).toEqual(["PO-2"]);
    expect(ids(filterRows(rows, { ...noFilter, text: "po-1" }))).toEqual(["PO-1"]);
    expect(ids(filterRows(rows, { ...noFilter, text: "deposit jansen" }))).toEqual([]);
  });

  it("sorts by any column and keeps work order for ties and no sorting", () => {
    expect(ids(sortRows(rows, [{ id: "customer", desc: false }]))).toEqual(["PO-2", "PO-3", "PO-1"]);
    expect(ids(sortRows(rows, [{ id: "priority", desc: false }]))).toEqual(["PO-3", "PO-1", "PO-2"]);
    expect(ids(sortRows(rows, [{ id: "age", desc: true }]))).toEqual(["PO-1", "PO-2", "PO-3"]);
    expect(ids(sortRows(rows, [{ id: "sla", desc: false }]))).toEqual(["PO-3", "PO-2", "PO-1"]);
    expect(ids(sortRows(sortRows(rows, [{ id: "kind", desc: true }]), []))).toEqual(["PO-1", "PO-2", "PO-3"]);
  });

  it("offers the values present as filter options", () => {
    expect(filterOptions(rows)).toEqual({
      kinds: ["held", "jeopardy", "pending"],
      queues: ["deposit", "review"],
      reasonCodes: ["ADDRESS_NOT_SERVICEABLE", "CREDIT_DEPOSIT_REQUIRED"],
      priorities: ["0", "1", "2"],
    });
  });
});
