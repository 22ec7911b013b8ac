// (d) A partial order shows which item failed: QT-SOM-FAIL-STATIC-IP (fixtures/README.md).
// Validation accepts it (it cannot see the IP pool); the SOM fails CFS:Static-IP at
// ADDR-DLF-0001 with IP_POOL_EXHAUSTED (fixtures/som.json), so item 3 (static IP) fails, items 1
// (Business Fibre) and 2 (router) complete, and the order ends partial.
import { describe, expect, it } from "vitest";

import { captureFromQuote, flowSession, is, screenshot, signIn, tid, tokens } from "./app.ts";

const FLOW = "partial-order";
const startApp = flowSession(FLOW);

describe("a partial order", () => {
  it("shows the failed item, its failed service and the SOM's reason", async () => {
    const session = await startApp();
    await signIn(session, tokens.agent);
    await captureFromQuote(session, "QT-SOM-FAIL-STATIC-IP", { flow: FLOW, expectOutcome: "pass" });

    await session.waitText(tid("order-state"), is("partial"), "to say partial", 120_000);
    await session.waitText(tid("item-state-3"), is("failed"), "to say failed", 60_000);
    await session.waitText(tid("item-state-1"), is("completed"), "to say completed", 60_000);
    await session.waitText(tid("item-state-2"), is("completed"), "to say completed", 60_000);

    // Item 3's rows: the failed CFS:Static-IP service item, with the SOM's error on it.
    const rows = await session.findAll('[data-testid^="service-item-"]');
    const texts = await Promise.all(rows.map((row) => row.text()));
    const staticIp = texts.filter((text) => text.includes("CFS:Static-IP"));
    expect(staticIp, `service rows: ${JSON.stringify(texts)}`).toHaveLength(1);
    expect(staticIp[0]?.toLowerCase()).toContain("failed");
    const errors = await session.findAll('[data-testid^="service-error-"]');
    expect(errors).toHaveLength(1);
    const reason = await errors[0]?.text();
    expect(reason).toMatch(/IP_POOL_EXHAUSTED|No free \/29/);
    // No other service failed.
    for (const text of texts.filter((t) => !t.includes("CFS:Static-IP"))) {
      expect(text.toLowerCase()).toContain("completed");
    }
    await screenshot(session, FLOW, "failed-item");
  });
});
