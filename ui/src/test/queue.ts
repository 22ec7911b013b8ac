import type { QueueEntryDto } from "../ipc/bindings.ts";

/** Synthetic entries for the 100,000-row test and benchmark; deterministic for a given count. */
export function syntheticEntries(count: number, start = Date.parse("2026-11-20T08:00:00Z")): QueueEntryDto[] {
  const kinds = ["held", "pending", "jeopardy", "cancellationAssessment"];
  const queues = ["review", "creditReferral", "deposit", "fraud", "capacity", "scheduled"];
  const codes = ["ADDRESS_NOT_SERVICEABLE", "CREDIT_REFER", "INVENTORY_EXCHANGE_FULL", "DUPLICATE_OPEN_ORDER"];
  const names = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer"];
  return Array.from({ length: count }, (_, i) => {
    const code = codes[i % codes.length] ?? "CREDIT_REFER";
    return {
      orderId: `PO-${String(i).padStart(6, "0")}`,
      kind: kinds[i % kinds.length] ?? "held",
      queue: queues[i % queues.length] ?? null,
      customerId: `CUST-${String(i % 5000)}`,
      customerName: `${names[i % names.length] ?? "Klant"} ${String(i % 997)}`,
      reason: `held for ${code}`,
      reasons: [{ code, message: `Order held: ${code}` }],
      priority: String(i % 5),
      effectivePriority: String(Math.max(0, (i % 5) - (i % 2))),
      waitingSince: new Date(start + i * 7_000).toISOString(),
      slaDue: i % 3 === 0 ? null : new Date(start + i * 7_000 + 86_400_000).toISOString(),
      jeopardy: null,
      claimedBy: i % 50 === 0 ? "demo-backoffice-1" : null,
      claimedUntil: i % 50 === 0 ? new Date(start + i * 7_000 + 900_000).toISOString() : null,
    };
  });
}

/** One queue entry with sensible defaults, for focused tests. */
export function queueEntry(orderId: string, patch: Partial<QueueEntryDto> = {}): QueueEntryDto {
  return {
    orderId,
    kind: "held",
    queue: "review",
    customerId: "CUST-1",
    customerName: "Jansen Installatie",
    reason: "address not serviceable",
    reasons: [{ code: "ADDRESS_NOT_SERVICEABLE", message: "No fibre at this address." }],
    priority: "2",
    effectivePriority: "2",
    waitingSince: "2026-11-26T20:00:00Z",
    slaDue: null,
    jeopardy: null,
    claimedBy: null,
    claimedUntil: null,
    ...patch,
  };
}
