// A small W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over fetch: enough to drive
// the desktop app through tauri-driver, which forwards to WebKitWebDriver. No framework: every
// call is one HTTP request, and every failure says which command failed and what the driver said.

/** The key W3C WebDriver puts element references under. */
const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

/** W3C key codes used by the tests (https://www.w3.org/TR/webdriver2/#keyboard-actions). */
export const Keys = {
  null: "\uE000",
  backspace: "\uE003",
  tab: "\uE004",
  enter: "\uE007",
  escape: "\uE00C",
  control: "\uE009",
  delete: "\uE017",
} as const;

/** An error the driver answered with (its W3C `error` code and message). */
export class WebDriverError extends Error {
  constructor(
    readonly command: string,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${command}: ${code}: ${detail}`);
    this.name = "WebDriverError";
  }
}

/** Thrown by a {@link waitUntil} probe to stop waiting at once: the wait rethrows `cause`. */
export class Fatal extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "Fatal";
  }
}

/** A wait that ran out: says what it waited for and what it saw last. */
export class WaitTimeout extends Error {
  constructor(what: string, ms: number, last: string) {
    super(`timed out after ${String(ms / 1000)} s waiting for ${what}${last === "" ? "" : ` (last: ${last})`}`);
    this.name = "WaitTimeout";
  }
}

interface Answer {
  value: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** How long one WebDriver command may take before it counts as hung (a new session: longer). */
const COMMAND_TIMEOUT_MS = 60_000;

async function request(
  base: string,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<unknown> {
  const command = `${method} ${path}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new WebDriverError(command, "timeout", `no answer within ${String(timeoutMs / 1000)} s`);
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebDriverError(command, `http ${String(response.status)}`, text.slice(0, 500));
  }
  const answer = parsed as Answer;
  if (!response.ok || (isRecord(answer.value) && typeof answer.value["error"] === "string")) {
    const value = isRecord(answer.value) ? answer.value : {};
    const code = typeof value["error"] === "string" ? value["error"] : `http ${String(response.status)}`;
    const message = typeof value["message"] === "string" ? value["message"] : text.slice(0, 500);
    throw new WebDriverError(command, code, message);
  }
  return answer.value;
}

/**
 * Polls `probe` until it returns something other than `undefined`/`false`, or throws WaitTimeout.
 * A probe that throws is tried again (its last error is reported on timeout), unless it throws
 * {@link Fatal}.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last = "";
    try {
      const result = await probe();
      if (result !== undefined && result !== false) {
        return result;
      }
    } catch (error) {
      if (error instanceof Fatal) {
        throw error.cause;
      }
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeout(what, timeoutMs, last);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** One element of the page, by its W3C reference. */
export class Element {
  constructor(
    private readonly session: Session,
    readonly id: string,
    readonly description: string,
  ) {}

  private path(suffix: string): string {
    return `/element/${this.id}${suffix}`;
  }

  /** A command on this element; a driver error names the element. */
  private async command(method: "GET" | "POST", suffix: string, body?: unknown): Promise<unknown> {
    try {
      return await this.session.command(method, this.path(suffix), body);
    } catch (error) {
      if (error instanceof WebDriverError) {
        throw new WebDriverError(`${error.command} (${this.description})`, error.code, error.detail);
      }
      throw error;
    }
  }

  async click(): Promise<void> {
    await this.command("POST", "/click", {});
  }

  /** Types `text` (W3C key codes allowed, see {@link Keys}). */
  async sendKeys(text: string): Promise<void> {
    await this.command("POST", "/value", { text });
  }

  /**
   * Replaces the field's value the way a user does: select all, delete, type. (WebDriver's
   * clear command sets the value without the input events React listens to.)
   */
  async fill(text: string): Promise<void> {
    await this.click();
    await this.sendKeys(`${Keys.control}a${Keys.null}${Keys.backspace}`);
    if (text !== "") {
      await this.sendKeys(text);
    }
  }

  async text(): Promise<string> {
    return String(await this.command("GET", "/text"));
  }

  async attribute(name: string): Promise<string | null> {
    const value = await this.command("GET", `/attribute/${encodeURIComponent(name)}`);
    return typeof value === "string" ? value : null;
  }

  async property(name: string): Promise<unknown> {
    return this.command("GET", `/property/${encodeURIComponent(name)}`);
  }

  async enabled(): Promise<boolean> {
    return (await this.command("GET", "/enabled")) === true;
  }

  /** Scrolls the element to the middle of its scrolling ancestors (and the window). */
  async scrollIntoView(): Promise<void> {
    await this.session.execute('arguments[0].scrollIntoView({ block: "center", inline: "center" });', [this.reference()]);
  }

  /** The W3C JSON reference to this element, to pass it to a script. */
  reference(): Record<string, string> {
    return { [ELEMENT_KEY]: this.id };
  }

  /** Descendants matching a CSS selector. */
  async findAll(css: string): Promise<Element[]> {
    const value = await this.command("POST", "/elements", { using: "css selector", value: css });
    return this.session.elementsFrom(value, `${this.description} ${css}`);
  }
}

/** The `tauri:options` capability tauri-driver reads: which app binary to start. */
export interface TauriOptions {
  application: string;
  args?: string[];
}

/** One WebDriver session: one running instance of the app. */
export class Session {
  private constructor(
    readonly base: string,
    readonly id: string,
  ) {}

  /** Starts the app (tauri-driver launches it through WebKitWebDriver) and opens a session on it. */
  /**
   * Launches the app in a new session. On a loaded machine WebKitWebDriver now and then never
   * connects to the app it started (the request hangs): such a launch is abandoned after 35 s
   * and tried again, up to three times.
   */
  static async start(driverUrl: string, tauri: TauriOptions): Promise<Session> {
    const capabilities = { capabilities: { alwaysMatch: { "tauri:options": tauri } } };
    let value: unknown;
    for (let attempt = 1; ; attempt += 1) {
      try {
        value = await request(driverUrl, "POST", "/session", capabilities, 35_000);
        break;
      } catch (error) {
        if (attempt >= 3 || !(error instanceof WebDriverError) || error.code !== "timeout") {
          throw error;
        }
      }
    }
    if (!isRecord(value) || typeof value["sessionId"] !== "string") {
      throw new WebDriverError("POST /session", "invalid answer", JSON.stringify(value));
    }
    return new Session(driverUrl, value["sessionId"]);
  }

  /** Ends the session; the driver closes the app. */
  async end(): Promise<void> {
    await request(this.base, "DELETE", `/session/${this.id}`);
  }

  async command(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  elementsFrom(value: unknown, description: string): Element[] {
    if (!Array.isArray(value)) {
      throw new WebDriverError("find elements", "invalid answer", JSON.stringify(value));
    }
    return value.map((entry: unknown, index) => {
      if (!isRecord(entry) || typeof entry[ELEMENT_KEY] !== "string") {
        throw new WebDriverError("find elements", "invalid answer", JSON.stringify(entry));
      }
      return new Element(this, entry[ELEMENT_KEY], `${description}[${String(index)}]`);
    });
  }

  /** Every element matching a CSS selector, in document order (none: an empty list). */
  async findAll(css: string): Promise<Element[]> {
    const value = await this.command("POST", "/elements", { using: "css selector", value: css });
    return this.elementsFrom(value, css);
  }

  /** The first element matching a CSS selector, or undefined. */
  async find(css: string): Promise<Element | undefined> {
    const [first] = await this.findAll(css);
    return first;
  }

  /** Waits until an element matching `css` is in the page. */
  async waitFor(css: string, timeoutMs?: number): Promise<Element> {
    return waitUntil(`an element ${css}`, () => this.find(css), timeoutMs === undefined ? {} : { timeoutMs });
  }

  /** Waits until no element matches `css`. */
  async waitGone(css: string, timeoutMs?: number): Promise<void> {
    await waitUntil(
      `no element ${css}`,
      async () => (await this.findAll(css)).length === 0,
      timeoutMs === undefined ? {} : { timeoutMs },
    );
  }

  /** Waits until the element matching `css` is enabled. */
  async waitEnabled(css: string, timeoutMs?: number): Promise<Element> {
    return waitUntil(
      `${css} to be enabled`,
      async () => {
        const element = await this.find(css);
        return element !== undefined && (await element.enabled()) ? element : undefined;
      },
      timeoutMs === undefined ? {} : { timeoutMs },
    );
  }

  /** Waits until the text of the element matching `css` satisfies `test`; returns that text. */
  async waitText(css: string, test: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string> {
    let seen = "(no element)";
    try {
      return await waitUntil(
        `${css} ${what}`,
        async () => {
          const element = await this.find(css);
          if (element === undefined) {
            seen = "(no element)";
            return undefined;
          }
          seen = await element.text();
          return test(seen) ? seen : undefined;
        },
        timeoutMs === undefined ? {} : { timeoutMs },
      );
    } catch (error) {
      if (error instanceof WaitTimeout) {
        throw new WaitTimeout(`${css} ${what}`, timeoutMs ?? 20_000, `text was ${JSON.stringify(seen.slice(0, 300))}`);
      }
      throw error;
    }
  }

  /** Runs a script in the page (W3C execute/sync); `arguments` holds `args`. */
  async execute(script: string, args: unknown[] = []): Promise<unknown> {
    return this.command("POST", "/execute/sync", { script, args });
  }

  /** Runs an async script in the page: the script calls `arguments[arguments.length - 1](result)`. */
  async executeAsync(script: string, args: unknown[] = []): Promise<unknown> {
    return this.command("POST", "/execute/async", { script, args });
  }

  /** The whole window as a PNG. */
  async screenshot(): Promise<Buffer> {
    const value = await this.command("GET", "/screenshot");
    if (typeof value !== "string") {
      throw new WebDriverError("GET /screenshot", "invalid answer", typeof value);
    }
    return Buffer.from(value, "base64");
  }

  async source(): Promise<string> {
    return String(await this.command("GET", "/source"));
  }
}
