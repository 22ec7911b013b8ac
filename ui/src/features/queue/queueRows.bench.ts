// Filtering and sorting the queue board's 100,000 rows: `npx vitest bench --run src/features/queue`.
// The board must answer a keystroke in well under 100 ms; these are the functions it runs then.
import { bench, describe } from "vitest";

import { syntheticEntries } from "../../test/queue.ts";
import { filterRows, noFilter, prepareRows, sortRows } from "./queueRows.ts";

const entries = syntheticEntries(100_000);
const rows = prepareRows(entries);
const byCustomer = sortRows(rows, [{ id: "customer", desc: false }]);

describe("queue board, 100,000 rows", () => {
  bench("prepare (once per load)", () => {
    prepareRows(entries);
  });
  bench("filter: text search, two words", () => {
    filterRows(rows, { ...noFilter, text: "vries 12" });
  });
  bench("filter: kind + priority + text", () => {
    filterRows(byCustomer, { ...noFilter, kind: "held", priority: "2", text: "bakker" });
  });
  bench("filter: order id prefix", () => {
    filterRows(rows, { ...noFilter, text: "po-01234" });
  });
  bench("sort: customer (on a header click)", () => {
    sortRows(rows, [{ id: "customer", desc: false }]);
  });
  bench("sort: SLA due", () => {
    sortRows(rows, [{ id: "sla", desc: false }]);
  });
});
