// (c) A supervisor approves a credit exception that an agent could not. An agent captures
// QT-CREDIT-REFER (fixtures/README.md: held for a credit referral, CREDIT_REFER, arrears
// outstanding). The agent's menu has no credit approvals, and approving anyway (calling the
// desk's approveCredit command from the page) is refused as forbidden. The supervisor claims
// the exception on the credit approvals screen and approves it; the order is accepted and goes
// to fulfilment.
import { describe, expect, it } from "vitest";

import {
  captureHeldOrder,
  click,
  flowSession,
  invoke,
  menu,
  outcome,
  screenshot,
  serverState,
  signIn,
  signOut,
  tid,
  tokens,
} from "./app.ts";
import { waitUntil } from "./webdriver.ts";

const FLOW = "supervisor-credit";
const startApp = flowSession(FLOW);

describe("credit approval", () => {
  it("is not the agent's to give, and the supervisor approves QT-CREDIT-REFER", async () => {
    const session = await startApp();
    const orderId = await captureHeldOrder(session, "QT-CREDIT-REFER", FLOW);

    // The agent sees no approvals screen, and the desk refuses the command itself.
    expect(await menu(session)).not.toContain("nav-approvals");
    const forced = await invoke(session, "approve_credit", { orderId, reason: "the agent tries anyway" });
    expect(forced.ok).toBe(false);
    expect(forced.ok ? null : (forced.error as { code?: unknown }).code).toBe("forbidden");
    expect(await serverState(tokens.supervisor, orderId)).toBe("held");
    await screenshot(session, FLOW, "agent-held");
    await signOut(session);

    await signIn(session, tokens.supervisor);
    expect(await menu(session)).toContain("nav-approvals");
    await click(session, tid("nav-approvals"));
    await session.waitFor(tid("screen-approvals"));
    await click(session, `${tid(`credit-row-${orderId}`)} td`, 60_000);
    const panel = await session.waitFor(tid("credit-panel"));
    expect(await panel.text()).toContain(orderId);
    await screenshot(session, FLOW, "exception");

    await click(session, tid("credit-claim"));
    await click(session, tid("credit-approve"));
    await (await session.waitFor(tid("credit-reason"))).fill("Arrears paid at the counter today; receipt seen");
    await screenshot(session, FLOW, "approve");
    await click(session, tid("credit-submit"));
    // The screen confirms it, or (when the live update removing the exception lands first and
    // closes the panel) simply drops the row; an error on the panel fails at once.
    const row = tid(`credit-row-${orderId}`);
    const done = await outcome(session, tid("credit-done"), [tid("credit-error")], "the approval", 30_000, row);
    expect(done).toMatch(/approved|\(gone\)/i);
    await screenshot(session, FLOW, "approved");

    // Re-validated without credit vetting: accepted, and on to fulfilment.
    await waitUntil(
      `${orderId} to leave held on the server`,
      async () => ["inProgress", "completed"].includes(await serverState(tokens.supervisor, orderId)),
      { timeoutMs: 60_000 },
    );
    // The exception is no longer on the supervisor's list.
    await session.waitGone(row, 30_000);
  });
});
