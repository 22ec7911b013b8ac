// The app's window as a PNG, read from the X display it runs on (Xvfb under scripts/e2e.sh).
//
// Why not WebDriver's screenshot: the app turns WebKitGTK's accelerated compositing off (it saves
// the page's process about 50 MB; src-tauri/src/lib.rs, WEBVIEW_ENVIRONMENT), and in that mode
// WebKitWebDriver answers "take screenshot" only after the page's next repaint. A page that has
// finished rendering and has no blinking caret does not repaint, so the command waits until
// something else changes on screen (measured: more than 90 s on the sign-in screen, while finding
// elements, clicking, typing and running scripts answer in milliseconds). The X server holds
// what the window shows, so the picture is taken there: `xwininfo` (x11-utils) finds the app's
// top-level window by its title, ImageMagick's `import` reads it (scripts/setup.sh --e2e installs
// both).
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The title of the app's window (`tauri.conf.json`, app.windows[0].title). */
const WINDOW_TITLE = "Orderdesk";

/** One top-level window as `xwininfo -root -children` lists it. */
interface XWindow {
  id: string;
  title: string;
  width: number;
  height: number;
}

/** The top-level windows of the display, from `xwininfo -root -children`. */
function parseChildren(listing: string): XWindow[] {
  const windows: XWindow[] = [];
  // e.g. `     0x200003 "Orderdesk": ("orderdesk" "Orderdesk")  1280x800+0+0  +0+0`
  const line = /^\s*(0x[0-9a-f]+) "(.*)": \(.*\)\s+(\d+)x(\d+)[+-]/gim;
  for (const match of listing.matchAll(line)) {
    const [, id, title, width, height] = match;
    if (id !== undefined && title !== undefined && width !== undefined && height !== undefined) {
      windows.push({ id, title, width: Number(width), height: Number(height) });
    }
  }
  return windows;
}

/**
 * The X id of the app's window: the one top-level window titled "Orderdesk" (GTK also makes a
 * 10×10 unmapped leader window per process, named after the binary; it is left out by size).
 * Undefined when the display has none (e.g. a Wayland session, where the app is no X client).
 */
async function appWindow(): Promise<string | undefined> {
  const { stdout } = await run("xwininfo", ["-root", "-children"]);
  const found = parseChildren(stdout).filter((w) => w.title === WINDOW_TITLE && w.width > 10 && w.height > 10);
  if (found.length > 1) {
    throw new Error(`${String(found.length)} windows titled ${WINDOW_TITLE} on ${process.env["DISPLAY"] ?? "(no DISPLAY)"}: which one is the app under test?`);
  }
  return found[0]?.id;
}

async function capture(id: string): Promise<Buffer> {
  // -strip: no timestamps in the file, so two pictures of the same pixels are the same bytes.
  const { stdout } = await run("import", ["-window", id, "-strip", "png:-"], {
    encoding: "buffer",
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * The app's window as the X server shows it, once two pictures 50 ms apart agree (what the page
 * painted last may still be on its way to the window), at most ten tries; or undefined when the
 * display has no such window.
 */
export async function windowPng(): Promise<Buffer | undefined> {
  const id = await appWindow();
  if (id === undefined) {
    return undefined;
  }
  let last = await capture(id);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await capture(id);
    if (next.equals(last)) {
      return next;
    }
    last = next;
  }
  return last;
}
