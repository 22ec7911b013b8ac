// The harness the flows share: what scripts/e2e.sh started (from the environment), launching
// the app, signing in through the sign-in screen, screenshots, and direct calls to the server
// for what a flow checks beyond the screen.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, afterEach } from "vitest";

import { windowPng } from "./display.ts";
import { Fatal, Session, waitUntil, WebDriverError, type Element } from "./webdriver.ts";

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set: run the end-to-end tests through scripts/e2e.sh, which starts the server, Xvfb and tauri-driver`);
  }
  return value;
}

/** What scripts/e2e.sh started for this run. */
export const env = {
  /** tauri-driver, `http://127.0.0.1:PORT`. */
  driverUrl: required("ORDERDESK_E2E_DRIVER_URL"),
  /** The desktop app binary tauri-driver launches. */
  application: required("ORDERDESK_E2E_APP"),
  /** The demo server, `http://127.0.0.1:PORT`. */
  serverUrl: required("ORDERDESK_E2E_SERVER_URL"),
  /** Where screenshots go (docs/screenshots by default). */
  screenshots: required("ORDERDESK_E2E_SCREENSHOTS"),
};

/** The demo users' tokens (fixtures/users.json). */
export const tokens = {
  agent: "demo-agent-1",
  agent2: "demo-agent-2",
  backoffice: "demo-backoffice-1",
  supervisor: "demo-supervisor-1",
} as const;

/** `[data-testid="…"]`. */
export function tid(id: string): string {
  return `[data-testid="${id}"]`;
}

/** Starts the app and waits for its first screen (the sign-in form). */
export async function launch(): Promise<Session> {
  const session = await Session.start(env.driverUrl, { application: env.application });
  try {
    await session.waitFor(tid("sign-in-form"), 30_000);
  } catch (error) {
    await session.end().catch(() => undefined);
    throw error;
  }
  return session;
}

/**
 * The app's window as a PNG: from the X display (display.ts: WebDriver's own screenshot waits for
 * a repaint with compositing off, the app's default), or from WebDriver where the display has no
 * such window (a Wayland session).
 */
export async function windowPicture(session: Session): Promise<Buffer> {
  return (await windowPng()) ?? session.screenshot();
}

/** Writes the window as docs/screenshots/<flow>-<step>.png. */
export async function screenshot(session: Session, flow: string, step: string): Promise<void> {
  // Two animation frames: what React just rendered has been painted.
  await session.executeAsync(
    "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
  );
  const png = await windowPicture(session);
  mkdirSync(env.screenshots, { recursive: true });
  writeFileSync(join(env.screenshots, `${flow}-${step}.png`), png);
}

/**
 * Signs in through the sign-in screen: the test server's URL, a token, Sign in. Returns when
 * the desk shows who is signed in.
 */
export async function signIn(session: Session, token: string, flow?: string): Promise<void> {
  const server = await session.waitFor(tid("sign-in-server"));
  await server.fill(env.serverUrl);
  const tokenField = await session.waitFor(tid("sign-in-token"));
  await tokenField.fill(token);
  if (flow !== undefined) {
    await screenshot(session, flow, "sign-in");
  }
  const submit = await session.waitEnabled(tid("sign-in-submit"));
  await submit.click();
  await waitUntil(
    `the desk to open for ${token}`,
    async () => {
      const error = await session.find(tid("sign-in-error"));
      if (error !== undefined) {
        throw new Fatal(new Error(`sign-in with ${token} failed: ${await error.text()}`));
      }
      return session.find(tid("session-user"));
    },
    { timeoutMs: 30_000 },
  );
}

/**
 * A text test for {@link Session.waitText}: equal to one of `expected`, ignoring case and
 * surrounding space (WebDriver gives the rendered text, and badges are styled in capitals).
 */
export function is(...expected: string[]): (text: string) => boolean {
  const wanted = expected.map((e) => e.toLowerCase());
  return (text) => wanted.includes(text.trim().toLowerCase());
}

/** Driver errors that mean "not clickable yet" (still rendering, covered, re-rendered). */
const NOT_YET = new Set(["element not interactable", "element click intercepted", "stale element reference"]);

/**
 * Clicks the element matching `css` once it is there, enabled and clickable (retrying while the
 * driver says it is not interactable yet).
 */
export async function click(session: Session, css: string, timeoutMs = 20_000): Promise<Element> {
  return waitUntil(
    `${css} to be clickable`,
    async () => {
      const element = await session.find(css);
      if (element === undefined || !(await element.enabled())) {
        return undefined;
      }
      try {
        await element.click();
      } catch (error) {
        if (error instanceof WebDriverError && NOT_YET.has(error.code)) {
          // Perhaps out of sight in a scrolled panel: bring it into view for the next try.
          await element.scrollIntoView().catch(() => undefined);
          throw error;
        }
        throw new Fatal(error);
      }
      return element;
    },
    { timeoutMs },
  );
}

/** What a Tauri command answered when called from the page, bypassing the UI. */
export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Calls a Tauri command from inside the page, as a UI that ignored its own navigation could:
 * how a flow checks that the desk itself refuses what the screens do not offer.
 */
export async function invoke(session: Session, command: string, args: Record<string, unknown>): Promise<InvokeResult> {
  const result = await session.executeAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
       .then((value) => done({ ok: true, value }), (error) => done({ ok: false, error }));`,
    [command, args],
  );
  return result as InvokeResult;
}

/** GET on the server's API as a demo user; the parsed JSON. */
export async function serverGet(token: string, path: string): Promise<unknown> {
  const response = await fetch(`${env.serverUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  if (!response.ok) {
    throw new Error(`GET ${path} as ${token}: HTTP ${String(response.status)}: ${(await response.text()).slice(0, 300)}`);
  }
  return response.json();
}

/**
 * Captures an order from a CPQ quote on the capture screen: find the quote, create the draft,
 * wait for local validation's verdict, submit. Returns the order screen's order id once the
 * order screen shows it.
 */
export async function captureFromQuote(
  session: Session,
  quoteId: string,
  { flow, expectOutcome }: { flow: string; expectOutcome: "pass" | "warn" | "hold" },
): Promise<string> {
  await click(session, tid("nav-capture"));
  await session.waitFor(tid("capture-screen"));
  await (await session.waitFor(tid("quote-search"))).fill(quoteId);
  await click(session, tid(`quote-${quoteId}`));
  await click(session, tid("create-draft"));
  await session.waitFor(tid("draft-state"), 30_000);
  await session.waitText(tid("validation-outcome"), is(expectOutcome), `to say ${expectOutcome}`, 30_000);
  await screenshot(session, flow, "draft");
  await click(session, tid("submit"), 30_000);
  await session.waitFor(tid("order-screen"), 30_000);
  await session.waitText(tid("order-state"), (text) => text.trim() !== "", "to show a state");
  return orderIdShown(session);
}

/** The id the order screen shows in its title ("Order <id>"). */
export async function orderIdShown(session: Session): Promise<string> {
  const title = await (await session.waitFor(".order-header h2")).text();
  const match = /Order (\S+)/.exec(title);
  if (match?.[1] === undefined) {
    throw new Error(`the order screen's title names no order: ${JSON.stringify(title)}`);
  }
  return match[1];
}

/**
 * The server's id of the order on the order screen: waits until the desk has synced it (the
 * title then names the server's id instead of the local one).
 */
export async function syncedOrderId(session: Session, timeoutMs = 60_000): Promise<string> {
  await session.waitText(tid("sync-status"), is("Synced"), "to say Synced", timeoutMs);
  return orderIdShown(session);
}

/**
 * Signs the agent in and captures an order from a quote that validation holds, then waits until
 * the desk has synced it and the server holds it. Returns the server's order id.
 */
export async function captureHeldOrder(session: Session, quoteId: string, flow: string): Promise<string> {
  await signIn(session, tokens.agent);
  await captureFromQuote(session, quoteId, { flow, expectOutcome: "hold" });
  const orderId = await syncedOrderId(session);
  await waitOrderState(session, orderId, ["held"]);
  return orderId;
}

/** Signs out through the header and waits for the sign-in screen. */
export async function signOut(session: Session): Promise<void> {
  await click(session, tid("sign-out"));
  await session.waitFor(tid("sign-in-form"), 30_000);
}

/** The `data-testid`s of the menu items (`nav-…`) the signed-in user sees. */
export async function menu(session: Session): Promise<string[]> {
  const items = await session.findAll('[data-testid^="nav-"]');
  return Promise.all(items.map(async (item) => (await item.attribute("data-testid")) ?? ""));
}

/**
 * Waits for an action's confirmation (`ok`, a selector), failing at once with the screen's
 * message when one of the `errors` selectors shows up instead. Returns the confirmation's text,
 * or "(gone)" when `gone` is given and that element has left the screen first (an action that
 * takes an entry off a live list may close its panel before the confirmation shows).
 */
export async function outcome(
  session: Session,
  ok: string,
  errors: string[],
  what: string,
  timeoutMs = 30_000,
  gone?: string,
): Promise<string> {
  return waitUntil(
    what,
    async () => {
      for (const css of errors) {
        const error = await session.find(css);
        if (error !== undefined) {
          throw new Fatal(new Error(`${what}: the screen shows ${css}: ${await error.text()}`));
        }
      }
      const done = await session.find(ok);
      if (done !== undefined) return done.text();
      return gone !== undefined && (await session.find(gone)) === undefined ? "(gone)" : undefined;
    },
    { timeoutMs },
  );
}

/** The state the server holds for an order (TMF622 v5), for checks and failure messages. */
export async function serverState(token: string, orderId: string): Promise<string> {
  const order = (await serverGet(
    token,
    `/tmf-api/productOrderingManagement/v5/productOrder/${encodeURIComponent(orderId)}`,
  )) as { state?: unknown };
  return typeof order.state === "string" ? order.state : `(no state: ${JSON.stringify(order).slice(0, 200)})`;
}

/**
 * Waits until the order screen shows one of `states`; on timeout the error also says what the
 * server holds, to tell a desk that missed a change from a server that never made it.
 */
export async function waitOrderState(session: Session, orderId: string, states: string[], timeoutMs = 60_000): Promise<string> {
  try {
    return await session.waitText(tid("order-state"), is(...states), `to say ${states.join(" or ")}`, timeoutMs);
  } catch (error) {
    const server = await serverState(tokens.supervisor, orderId).catch((e: unknown) => String(e));
    throw new Error(`${error instanceof Error ? error.message : String(error)}; the server says ${orderId} is ${server}`, {
      cause: error,
    });
  }
}

/**
 * Registers, for the calling test file, a screenshot and the page's source of whatever the app
 * shows when a test fails, in ORDERDESK_E2E_FAILURES (scripts/e2e.sh: a directory it names at
 * the end), so a failure can be seen, not only read.
 */
export function keepFailures(flow: string, current: () => Session | undefined): void {
  afterEach(async (context) => {
    const session = current();
    const dir = process.env["ORDERDESK_E2E_FAILURES"];
    if (context.task.result?.state !== "fail" || session === undefined || dir === undefined || dir === "") {
      return;
    }
    mkdirSync(dir, { recursive: true });
    const name = `${flow}-${context.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`;
    await windowPicture(session)
      .then((png) => {
        writeFileSync(join(dir, `${name}.png`), png);
      })
      .catch(() => undefined);
    await session
      .source()
      .then((html) => {
        writeFileSync(join(dir, `${name}.html`), html);
      })
      .catch(() => undefined);
  });
}

/**
 * The one app session of a flow's test file: `start()` launches it; it is ended after the file,
 * and a failing test keeps its screenshot and page source (`keepFailures`).
 */
export function flowSession(flow: string): () => Promise<Session> {
  let session: Session | undefined;
  keepFailures(flow, () => session);
  afterAll(async () => {
    await session?.end();
  });
  return async () => {
    session = await launch();
    return session;
  };
}
