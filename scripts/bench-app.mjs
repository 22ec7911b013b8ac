// The desktop app's launch and memory benchmark, driven over WebDriver (tauri-driver). Run by
// scripts/bench-app.sh, which builds and starts everything and seeds the profile; see
// BENCHMARKS.md ("Desktop app: launch and memory").
//
// Launch: for each run a new WebDriver session starts the app; the time to the first screen is
// the app process's age (now minus its start time in /proc/PID/stat, both on the kernel's boot
// clock) at the moment the sign-in form is in the page and two animation frames have passed
// (so it has been painted). The form is polled every 20 ms.
// Memory: sign in through the sign-in screen, open "My orders", wait for its rows and for the
// desk to settle, then read VmRSS (and Pss) of the app process and every process under it
// (WebKitWebProcess, WebKitNetworkProcess); USS (private pages) beside them.
//
// Environment: BENCH_DRIVER_URL, BENCH_APP, BENCH_SERVER_URL, BENCH_RUNS (default 5),
// BENCH_SEEDED_TOKEN (the token of the seeded profile's user), BENCH_EMPTY_TOKEN (a user with an
// empty profile, the baseline), BENCH_SETTLE_MS (default 10000). Prints a JSON report last.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set (run scripts/bench-app.sh)`);
  return value;
};
const driver = env("BENCH_DRIVER_URL");
const app = env("BENCH_APP");
const serverUrl = env("BENCH_SERVER_URL");
const runs = Number(env("BENCH_RUNS", "5"));
const seededToken = env("BENCH_SEEDED_TOKEN");
const emptyToken = env("BENCH_EMPTY_TOKEN");
const settleMs = Number(env("BENCH_SETTLE_MS", "10000"));
const CLK_TCK = 100; // USER_HZ on Linux; /proc/PID/stat's starttime is in these ticks.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function wd(method, path, body) {
  const response = await fetch(`${driver}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok || (json.value && typeof json.value.error === "string")) {
    throw new Error(`${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
  }
  return json.value;
}

const tid = (id) => `[data-testid="${id}"]`;

async function find(session, css) {
  const found = await wd("POST", `/session/${session}/elements`, { using: "css selector", value: css });
  return found.length === 0 ? undefined : found[0][ELEMENT];
}

async function waitFor(session, css, timeoutMs = 60_000, intervalMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const element = await find(session, css);
    if (element !== undefined) return element;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${css}`);
    await sleep(intervalMs);
  }
}

async function painted(session) {
  await wd("POST", `/session/${session}/execute/async`, {
    script:
      "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
    args: [],
  });
}

async function fill(session, css, text) {
  const element = await waitFor(session, css);
  await wd("POST", `/session/${session}/element/${element}/click`, {});
  await wd("POST", `/session/${session}/element/${element}/value`, { text: "\uE009a\uE000\uE003" });
  await wd("POST", `/session/${session}/element/${element}/value`, { text });
}

// --- /proc ----------------------------------------------------------------------------------

function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces), which ends at the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(rest[1]), starttime: Number(rest[19]) };
}

function pids() {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
}

function appPid() {
  const matches = pids().filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === app;
    } catch {
      return false;
    }
  });
  if (matches.length !== 1) throw new Error(`expected one running ${app}, found ${matches.length}`);
  return matches[0];
}

function uptimeSeconds() {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
}

function ageSeconds(pid) {
  return uptimeSeconds() - stat(pid).starttime / CLK_TCK;
}

function tree(root) {
  const all = pids().flatMap((pid) => {
    try {
      return [{ pid, ppid: stat(pid).ppid }];
    } catch {
      return [];
    }
  });
  const members = [root];
  for (let i = 0; i < members.length; i++) {
    for (const p of all) if (p.ppid === members[i]) members.push(p.pid);
  }
  return members;
}

function kb(text, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

function memory(root) {
  return tree(root).map((pid) => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    let pss = 0;
    let uss = 0;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      pss = kb(rollup, "Pss");
      // USS: the pages only this process maps (what ending it would free).
      uss = kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty");
    } catch {
      // smaps_rollup needs the same user or root; VmRSS is always there.
    }
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
    return {
      pid,
      name,
      rssKb: kb(status, "VmRSS"),
      // Anonymous (heap, JS, caches) vs file-backed (mostly shared libraries: WebKitGTK's are
      // mapped into each process) vs shared memory.
      anonKb: kb(status, "RssAnon"),
      fileKb: kb(status, "RssFile"),
      shmemKb: kb(status, "RssShmem"),
      pssKb: pss,
      ussKb: uss,
    };
  });
}

const mb = (kbs) => Math.round(kbs / 102.4) / 10;

/**
 * The WEBKIT_*, JSC_* and MALLOC_* switches the page's process runs with: the operator's and the ones the app sets
 * for itself where the operator has not (src-tauri/src/lib.rs, WEBVIEW_ENVIRONMENT).
 */
function pageSwitches(root) {
  const page = tree(root).find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "WebKitWebProces");
  if (page === undefined) return "(no WebKitWebProcess)";
  return readFileSync(`/proc/${page}/environ`, "utf8")
    .split("\0")
    .filter(
      (entry) =>
        /^(WEBKIT_|JSC_|MALLOC_)/.test(entry) && !entry.startsWith("WEBKIT_INSPECTOR_SERVER="),
    )
    .sort()
    .join(" ");
}

// --- the runs -------------------------------------------------------------------------------

async function start() {
  const value = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application: app } } },
  });
  return value.sessionId;
}

async function launchOnce() {
  const session = await start();
  try {
    await waitFor(session, tid("sign-in-form"));
    await painted(session);
    const pid = appPid();
    const age = ageSeconds(pid);
    const procs = memory(pid);
    return { session, pid, firstScreenSeconds: age, procs, switches: pageSwitches(pid) };
  } catch (error) {
    await wd("DELETE", `/session/${session}`).catch(() => undefined);
    throw error;
  }
}

async function signInAndList(token, label) {
  const launched = await launchOnce();
  const { session, pid } = launched;
  try {
    await fill(session, tid("sign-in-server"), serverUrl);
    await fill(session, tid("sign-in-token"), token);
    const submit = await waitFor(session, `${tid("sign-in-submit")}:not([disabled])`);
    const t0 = Date.now();
    await wd("POST", `/session/${session}/element/${submit}/click`, {});
    const signedIn = await waitFor(session, `${tid("session-user")}, ${tid("sign-in-error")}`, 120_000);
    const shown = await wd("GET", `/session/${session}/element/${signedIn}/text`);
    if (/sign-in failed/i.test(shown)) throw new Error(`${label}: ${shown}`);
    const signedInMs = Date.now() - t0;
    const nav = await waitFor(session, tid("nav-orders"));
    const t1 = Date.now();
    await wd("POST", `/session/${session}/element/${nav}/click`, {});
    // The count shows once the first page is listed (rows, or "No orders").
    const counter = await waitFor(session, tid("orders-count"), 120_000);
    await painted(session);
    const listedMs = Date.now() - t1;
    const count = await wd("GET", `/session/${session}/element/${counter}/text`);
    await sleep(settleMs);
    const procs = memory(pid);
    const rows = await wd("POST", `/session/${session}/elements`, {
      using: "css selector",
      value: `${tid("orders-table")} tbody tr`,
    });
    return { label, signedInMs, listedMs, ordersCount: count, rowsInDom: rows.length, procs };
  } finally {
    await wd("DELETE", `/session/${session}`).catch(() => undefined);
    await sleep(1000);
  }
}

const launches = [];
for (let i = 0; i < runs; i++) {
  const run = await launchOnce();
  await wd("DELETE", `/session/${run.session}`);
  launches.push(run);
  if (i === 0) console.log(`WebKit switches of the page's process (the app's defaults included): ${run.switches}`);
  console.log(
    `launch ${i + 1}/${runs}: first screen at ${run.firstScreenSeconds.toFixed(2)} s after process start; ` +
      `RSS at the sign-in screen ${mb(run.procs.reduce((s, p) => s + p.rssKb, 0))} MB`,
  );
  await sleep(1000);
}

const report = { launches: launches.map(({ firstScreenSeconds, procs }) => ({ firstScreenSeconds, procs })) };
for (const [token, label] of [
  [emptyToken, "empty profile"],
  [seededToken, "seeded profile"],
]) {
  const result = await signInAndList(token, label);
  const rss = result.procs.reduce((s, p) => s + p.rssKb, 0);
  const pss = result.procs.reduce((s, p) => s + p.pssKb, 0);
  const uss = result.procs.reduce((s, p) => s + p.ussKb, 0);
  console.log(
    `${label}: signed in in ${result.signedInMs} ms, "My orders" listed in ${result.listedMs} ms ` +
      `(${JSON.stringify(result.ordersCount)}, ${result.rowsInDom} rows in the page); after ${settleMs / 1000} s: ` +
      `RSS ${mb(rss)} MB, PSS ${mb(pss)} MB, USS ${mb(uss)} MB = ` +
      result.procs
        .map(
          (p) =>
            `${p.name} ${mb(p.rssKb)} MB (anon ${mb(p.anonKb)}, file ${mb(p.fileKb)}, shmem ${mb(p.shmemKb)}; ` +
            `PSS ${mb(p.pssKb)}, USS ${mb(p.ussKb)})`,
        )
        .join(" + "),
  );
  report[label] = result;
}
const times = launches.map((l) => l.firstScreenSeconds).sort((a, b) => a - b);
report.summary = {
  firstScreenMedianSeconds: times[Math.floor(times.length / 2)],
  firstScreenMaxSeconds: times[times.length - 1],
};
console.log(JSON.stringify(report));
