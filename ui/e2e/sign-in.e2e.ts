// Sign-in: the first screen of the real app, a refused token, then each demo role signing in
// with the test server's URL and seeing the menu its rights give it.
import { afterEach, describe, expect, it } from "vitest";

import { env, launch, menu, screenshot, signIn, tid, tokens } from "./app.ts";
import type { Session } from "./webdriver.ts";

let session: Session | undefined;

afterEach(async () => {
  await session?.end();
  session = undefined;
});

describe("sign-in", () => {
  it("refuses an unknown token and says why", async () => {
    session = await launch();
    await screenshot(session, "sign-in", "first-screen");
    await (await session.waitFor(tid("sign-in-server"))).fill(env.serverUrl);
    await (await session.waitFor(tid("sign-in-token"))).fill("not-a-demo-token");
    await (await session.waitEnabled(tid("sign-in-submit"))).click();
    const error = await session.waitFor(tid("sign-in-error"), 30_000);
    expect(await error.text()).toMatch(/sign-in failed/i);
    expect(await session.find(tid("session-user"))).toBeUndefined();
    await screenshot(session, "sign-in", "refused");
  });

  it("signs an agent in: who is signed in, and the agent's menu", async () => {
    session = await launch();
    await signIn(session, tokens.agent, "sign-in");
    expect(await (await session.waitFor(tid("session-user"))).text()).toContain("Demo Agent 1");
    expect(await (await session.waitFor(tid("session-role"))).text()).toBe("Agent");
    const items = await menu(session);
    expect(items).toContain("nav-capture");
    expect(items).not.toContain("nav-history");
    await screenshot(session, "sign-in", "agent-desk");
  });

  it("signs a supervisor in, and signs out back to the sign-in screen", async () => {
    session = await launch();
    await signIn(session, tokens.supervisor);
    expect(await (await session.waitFor(tid("session-role"))).text()).toBe("Supervisor");
    expect(await menu(session)).toContain("nav-history");
    await (await session.waitEnabled(tid("sign-out"))).click();
    await session.waitFor(tid("sign-in-form"));
    expect(await session.find(tid("session-user"))).toBeUndefined();
  });
});
