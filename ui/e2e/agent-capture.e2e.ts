// (a) An agent captures an order from a CPQ quote and watches it complete: QT-GPON-HAPPY
// (fixtures/README.md: every check passes; the SOM delivers GPON-Access, Internet-Access and
// CPE-Management, and the order completes).
import { describe, expect, it } from "vitest";

import { captureFromQuote, flowSession, is, screenshot, serverGet, signIn, tid, tokens } from "./app.ts";

const FLOW = "agent-capture";
const startApp = flowSession(FLOW);

describe("an agent captures an order from a quote", () => {
  it("submits QT-GPON-HAPPY, and the order syncs, is fulfilled and completes", async () => {
    const session = await startApp();
    await signIn(session, tokens.agent, FLOW);

    await captureFromQuote(session, "QT-GPON-HAPPY", { flow: FLOW, expectOutcome: "pass" });
    await screenshot(session, FLOW, "submitted");

    // The desk sends it; the server's copy comes back and the header names the server's id.
    await session.waitText(tid("sync-status"), is("Synced"), "to say Synced", 60_000);
    await session.waitText(tid("order-state"), is("inProgress", "completed"), "to be in progress", 60_000);
    await session.waitText(tid("item-state-1"), (text) => text !== "", "to show item 1's state", 60_000);
    await screenshot(session, FLOW, "in-progress");

    await session.waitText(tid("order-state"), is("completed"), "to say completed", 120_000);
    await session.waitText(tid("item-state-1"), is("completed"), "to say completed", 60_000);
    await screenshot(session, FLOW, "completed");

    // The server agrees: the order it holds for this desk's capture is completed.
    const title = await (await session.waitFor(".order-header h2")).text();
    const serverId = /Order (\S+)/.exec(title)?.[1] ?? "";
    const order = (await serverGet(
      tokens.agent,
      `/tmf-api/productOrderingManagement/v5/productOrder/${encodeURIComponent(serverId)}`,
    )) as { state?: string };
    expect(order.state).toBe("completed");
  });
});
