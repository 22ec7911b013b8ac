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
# whatever happens (trap). Screenshots go to docs/screenshots/ (ORDERDESK_E2E_SCREENSHOTS), taken
# of the app's window on the X display (ui/e2e/display.ts: WebDriver's own screenshot waits for a
# repaint with compositing off, the app's default).
#
# Usage: bash scripts/e2e.sh [vitest arguments, e.g. a file filter: sign-in]
# Environment: ORDERDESK_E2E_SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh ran it);
#   ORDERDESK_E2E_SKIP_BUILD=1 tests the binaries already built (when iterating on the tests);
#   ORDERDESK_E2E_KEEP=1 keeps the temp dir (logs, profiles) for a look afterwards;
#   ORDERDESK_E2E_SOM_STEP_MS sets the SOM simulator's step (default 300 ms);
#   ORDERDESK_E2E_TIMEOUT caps the test run (default 600 s), so a hung app cannot stall CI.
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
# Every background process runs in its own process group (bg_start in lib.sh), so cleanup ends
# it with everything it started (tauri-driver → WebKitWebDriver → the app → WebKit's helpers).
run_dir="$(mktemp -d "${TMPDIR:-/tmp}/orderdesk-e2e.XXXXXX")"
BG_DIR="$run_dir"
cleanup() {
    local status=$?
    bg_stop_all
    if [[ $status -ne 0 ]]; then
        bg_show_logs
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
target_dir="$(cargo_target_dir)"
# Copies, so another build in the same checkout cannot swap the binaries mid-run.
mkdir -p "$run_dir/bin"
cp "$target_dir/debug/orderdesk" "$target_dir/debug/orderdesk-server" "$run_dir/bin/"

section "e2e: typecheck the tests"
(cd ui && npx tsc -p e2e/tsconfig.json)

# --- start -----------------------------------------------------------------------------------
section "e2e: start the server, the display and tauri-driver (in $run_dir)"
# A short SOM step so fulfilment takes seconds, not minutes.
start_demo_server "$run_dir/bin/orderdesk-server" "$run_dir/server" \
    --som-step-ms "${ORDERDESK_E2E_SOM_STEP_MS:-300}"
server_url="$SERVER_URL"
info "server: $server_url"
ensure_display

start_tauri_driver "$run_dir/app-data" "$run_dir/xdg"
driver_url="$DRIVER_URL"

# --- test ------------------------------------------------------------------------------------
section "e2e: vitest (ui/e2e)"
screenshots="${ORDERDESK_E2E_SCREENSHOTS:-$ORDERDESK_ROOT/docs/screenshots}"
# What the app showed when a test failed (screenshot + page source); outlives the run dir.
failures="${ORDERDESK_E2E_FAILURES:-${TMPDIR:-/tmp}/orderdesk-e2e-failures}"
rm -rf "$failures"
# In the background (its own process group, like the rest) and waited for, so that Ctrl-C or a
# TERM reaches the traps at once and cleanup stops the tests with everything else.
ORDERDESK_E2E_DRIVER_URL="$driver_url" \
    ORDERDESK_E2E_APP="$run_dir/bin/orderdesk" \
    ORDERDESK_E2E_SERVER_URL="$server_url" \
    ORDERDESK_E2E_SCREENSHOTS="$screenshots" \
    ORDERDESK_E2E_FAILURES="$failures" \
    setsid bash -c 'cd "$1/ui" && limit="$2" && shift 2 &&
        exec timeout --kill-after=10 "$limit" npx vitest run --config e2e/vitest.config.ts "$@"' _ \
    "$ORDERDESK_ROOT" "${ORDERDESK_E2E_TIMEOUT:-600}" "$@" </dev/null &
BG_PIDS+=($!)
status=0
wait "$(bg_last)" || status=$?
if [[ $status -ne 0 ]]; then
    [[ $status -eq 124 ]] && info "the tests ran out of time (ORDERDESK_E2E_TIMEOUT=${ORDERDESK_E2E_TIMEOUT:-600} s)"
    [[ -d "$failures" ]] && info "what the app showed at each failure: $failures"
    exit 1
fi
info "e2e passed in $((SECONDS - started))s; screenshots in ${screenshots#"$ORDERDESK_ROOT"/}"
