// (e) History shows the versions of an amended order. An agent captures QT-EXCHANGE-FULL
// (fixtures/README.md: held in the capacity queue, so it stays open) and amends it (new
// description, with a reason); the desk sends the amendment and the server keeps each version.
// The supervisor finds the order in History and sees its versions, the amendment among them with
// who made it and why (the desk sends the reason as a note in the same TMF622 PATCH, and the
// server records it as the version's reason), and compares the first and the last.
import { describe, expect, it } from "vitest";

import {
  captureHeldOrder,
  click,
  flowSession,
  outcome,
  screenshot,
  signIn,
  signOut,
  syncedOrderId,
  tid,
  tokens,
} from "./app.ts";
import { waitUntil } from "./webdriver.ts";

const FLOW = "history-versions";
const REASON = "Customer asked to be called before the engineer visit";
const startApp = flowSession(FLOW);

describe("order history", () => {
  it("lists the versions of an amended order, the amendment with its author, and compares two", async () => {
    const session = await startApp();
    const orderId = await captureHeldOrder(session, "QT-EXCHANGE-FULL", FLOW);

    await click(session, tid("amend-order"));
    await (await session.waitFor(tid("amend-description"))).fill("SuperFibre 200 Home; call the customer before the engineer visit");
    await (await session.waitFor(tid("amend-reason"))).fill(REASON);
    await screenshot(session, FLOW, "amend");
    await click(session, tid("confirm-amend"));
    await outcome(session, tid("order-notice"), [tid("amend-error")], "the amendment");
    // The desk sends the amendment (outbox) and the server's copy comes back.
    await syncedOrderId(session);
    await signOut(session);

    await signIn(session, tokens.supervisor);
    await click(session, tid("nav-history"));
    await session.waitFor(tid("screen-history"));
    await (await session.waitFor(tid("history-customer"))).fill("CUST-1004");
    await click(session, tid("history-search"));
    await click(session, `${tid(`history-row-${orderId}`)} td`, 60_000);
    await session.waitFor(tid("history-versions"));
    await session.waitFor(tid("versions"), 30_000);

    // Every version: created, held by validation, and the agent's amendment.
    const rows = await waitUntil(
      "the amendment in the versions",
      async () => {
        const found = await session.findAll(`${tid("versions")} tbody tr`);
        // textContent: the rendered text of a row squeezed into the side panel comes back cut.
        const texts = await Promise.all(found.map(async (row) => String(await row.property("textContent"))));
        if (!texts.some((text) => /amendment/i.test(text))) {
          throw new Error(`versions shown: ${JSON.stringify(texts)}`);
        }
        return texts;
      },
      { timeoutMs: 30_000 },
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows[0]).toMatch(/created/i);
    const amendment = rows.find((text) => /amendment/i.test(text)) ?? "";
    expect(amendment).toContain("Demo Agent 1");
    expect(amendment).toContain(REASON);
    await screenshot(session, FLOW, "versions");

    // Compare the first version with the last: the description changed.
    const last = rows.length;
    await click(session, tid("version-select-1"));
    await click(session, tid(`version-select-${String(last)}`));
    const diff = await waitUntil(
      "the diff to name the description",
      async () => {
        const section = await session.find(tid("diff"));
        const text = section === undefined ? "" : String(await section.property("textContent"));
        if (!/description/i.test(text)) {
          throw new Error(`diff shown: ${JSON.stringify(text)}`);
        }
        return text;
      },
      { timeoutMs: 30_000 },
    );
    expect(diff).toContain("call the customer before the engineer visit");
    await (await session.waitFor(tid("diff"))).scrollIntoView();
    await screenshot(session, FLOW, "diff");
  });
});
