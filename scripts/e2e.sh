#!/usr/bin/env bash
# End-to-end tests: the real desktop app, driven over WebDriver, against the real server.
#
# Builds the UI (vite build) and the desktop app with it embedded (custom-protocol: what users
# run, CSP included, and no Vite dev server on the fixed port 1420 that a developer may already
# be using), and the server; then starts, each in a fresh temp dir that is removed afterwards:
#   - orderdesk-server --demo on 127.0.0.1, a free port (its SOM simulator fulfils orders),
#   - Xvfb, when there is no $DISPLAY,
#   - tauri-driver (it runs WebKitWebDriver, which launches the app binary of each session),
#     with ORDERDESK_DATA_DIR (the app's profiles) and XDG_* (WebKit's storage) in the temp dir,
# runs the Vitest suite in ui/e2e (ui/e2e/vitest.config.ts), and stops every process it started,
# whatever happens (trap). Screenshots go to docs/screenshots/ (ORDERDESK_E2E_SCREENSHOTS).
#
# Usage: bash scripts/e2e.sh [vitest arguments, e.g. a file filter: sign-in]
# Environment: ORDERDESK_E2E_SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh ran it);
#   ORDERDESK_E2E_SKIP_BUILD=1 tests the binaries already built (when iterating on the tests);
#   ORDERDESK_E2E_KEEP=1 keeps the temp dir (logs, profiles) for a look afterwards;
#   ORDERDESK_E2E_SOM_STEP_MS sets the SOM simulator's step (default 300 ms).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORDERDESK_ROOT"

started=$SECONDS
if [[ "${ORDERDESK_E2E_SKIP_SETUP:-0}" != 1 ]]; then
    bash scripts/setup.sh --desktop --ui --e2e
fi
have tauri-driver || die "tauri-driver not on PATH (bash scripts/setup.sh --e2e installs it)"
have WebKitWebDriver || die "WebKitWebDriver not on PATH (Debian package webkit2gtk-driver; bash scripts/setup.sh --e2e)"

locked=()
[[ -f Cargo.lock ]] && locked=(--locked)

# --- processes and cleanup -------------------------------------------------------------------
# Each background process gets its own session and process group (setsid), so cleanup can end
# it with everything it started (tauri-driver → WebKitWebDriver → the app → WebKit's helpers).
run_dir="$(mktemp -d "${TMPDIR:-/tmp}/orderdesk-e2e.XXXXXX")"
pids=()
cleanup() {
    local status=$?
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 30); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ $status -ne 0 ]]; then
        for log in "$run_dir"/*.log; do
            [[ -s "$log" ]] || continue
            printf '\n---- %s (last 40 lines) ----\n' "${log#"$run_dir"/}" >&2
            tail -n 40 "$log" >&2
        done
    fi
    if [[ "${ORDERDESK_E2E_KEEP:-0}" == 1 ]]; then
        info "kept $run_dir"
    else
        rm -rf "$run_dir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD...: runs CMD in the background in its own process group, output in NAME.log.
start() {
    local name="$1"
    shift
    setsid "$@" >"$run_dir/$name.log" 2>&1 </dev/null &
    pids+=($!)
}

# wait_for_line NAME PATTERN SECONDS: until NAME.log has a line matching PATTERN.
wait_for_line() {
    local name="$1" pattern="$2" seconds="$3" pid="${pids[-1]}"
    local deadline=$((SECONDS + seconds))
    until grep -qE "$pattern" "$run_dir/$name.log" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || die "$name exited (see its log below)"
        [[ $SECONDS -lt $deadline ]] || die "$name did not print /$pattern/ within ${seconds}s"
        sleep 0.1
    done
}

free_port() {
    node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# --- build -----------------------------------------------------------------------------------
if [[ "${ORDERDESK_E2E_SKIP_BUILD:-0}" == 1 ]]; then
    info "ORDERDESK_E2E_SKIP_BUILD=1: testing the binaries already in target/debug"
else
    section "e2e: build the UI (vite build)"
    (cd ui && npx vite build --logLevel warn)

    section "e2e: build the desktop app (UI embedded) and the server"
    cargo build "${locked[@]}" -p orderdesk-desktop --features custom-protocol
    cargo build "${locked[@]}" -p orderdesk-server
fi
target_dir="$(cargo metadata --no-deps --format-version 1 |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
# Copies, so another build in the same checkout cannot swap the binaries mid-run.
mkdir -p "$run_dir/bin"
cp "$target_dir/debug/orderdesk" "$target_dir/debug/orderdesk-server" "$run_dir/bin/"

section "e2e: typecheck the tests"
(cd ui && npx tsc -p e2e/tsconfig.json)

# --- start -----------------------------------------------------------------------------------
section "e2e: start the server, the display and tauri-driver (in $run_dir)"
mkdir -p "$run_dir/server" "$run_dir/app-data" "$run_dir/xdg/data" "$run_dir/xdg/config" "$run_dir/xdg/cache"
# A short SOM step so fulfilment takes seconds, not minutes.
start server "$run_dir/bin/orderdesk-server" --demo --addr 127.0.0.1:0 --data-dir "$run_dir/server" \
    --fixtures "$ORDERDESK_ROOT/fixtures" --som-step-ms "${ORDERDESK_E2E_SOM_STEP_MS:-300}"
wait_for_line server '^listening on http://' 60
server_url="$(grep -m1 '^listening on http://' "$run_dir/server.log" | grep -oE 'http://[0-9.]+:[0-9]+')"
info "server: $server_url"

if [[ -z "${DISPLAY:-}" ]]; then
    # -displayfd: Xvfb picks a free display number and writes it once it accepts clients.
    start xvfb bash -c 'exec Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$1/display.log"' _ "$run_dir"
    wait_for_line display '^[0-9]+$' 20
    DISPLAY=":$(head -n1 "$run_dir/display.log")"
    info "Xvfb on $DISPLAY"
fi
export DISPLAY

driver_port="$(free_port)"
native_port="$(free_port)"
start tauri-driver env \
    ORDERDESK_DATA_DIR="$run_dir/app-data" \
    ORDERDESK_FIXTURES_DIR="$ORDERDESK_ROOT/fixtures" \
    XDG_DATA_HOME="$run_dir/xdg/data" \
    XDG_CONFIG_HOME="$run_dir/xdg/config" \
    XDG_CACHE_HOME="$run_dir/xdg/cache" \
    tauri-driver --port "$driver_port" --native-port "$native_port"
driver_url="http://127.0.0.1:$driver_port"
deadline=$((SECONDS + 20))
until curl -fsS "$driver_url/status" >/dev/null 2>&1; do
    kill -0 "${pids[-1]}" 2>/dev/null || die "tauri-driver exited"
    [[ $SECONDS -lt $deadline ]] || die "tauri-driver did not answer on $driver_url within 20s"
    sleep 0.1
done
info "tauri-driver: $driver_url (WebKitWebDriver on $native_port)"

# --- test ------------------------------------------------------------------------------------
section "e2e: vitest (ui/e2e)"
screenshots="${ORDERDESK_E2E_SCREENSHOTS:-$ORDERDESK_ROOT/docs/screenshots}"
(
    cd ui
    ORDERDESK_E2E_DRIVER_URL="$driver_url" \
        ORDERDESK_E2E_APP="$run_dir/bin/orderdesk" \
        ORDERDESK_E2E_SERVER_URL="$server_url" \
        ORDERDESK_E2E_SCREENSHOTS="$screenshots" \
        npx vitest run --config e2e/vitest.config.ts "$@"
)
info "e2e passed in $((SECONDS - started))s; screenshots in ${screenshots#"$ORDERDESK_ROOT"/}"
