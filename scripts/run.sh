#!/usr/bin/env bash
# Installs what is missing, builds the UI and the desktop app (UI embedded), and starts it.
# Arguments after the script name are passed to the app. With no display (no $DISPLAY or
# $WAYLAND_DISPLAY) the app runs under Xvfb, headless.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORDERDESK_ROOT"

bash scripts/setup.sh --all

section "build: ui (npm run build)"
(cd ui && npm run build)

section "build: desktop app (cargo, dev profile, UI embedded)"
# custom-protocol embeds ui/dist; without it the app would wait for the Vite dev server.
cargo build -p orderdesk-desktop --features custom-protocol

metadata="$(cargo metadata --no-deps --format-version 1)"
target_dir="$(node -e 'console.log(JSON.parse(process.argv[1]).target_directory)' "$metadata")"
has_package() {
    node -e 'process.exit(JSON.parse(process.argv[1]).packages.some((p) => p.name === process.argv[2]) ? 0 : 1)' \
        "$metadata" "$1"
}

# --- the demo server -------------------------------------------------------------------------
# The desktop app will sync with `orderdesk-server --demo`, started here first. Until that
# package exists in the workspace this block is skipped.
server_pid=""
stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
if has_package orderdesk-server; then
    section "build: orderdesk-server"
    cargo build -p orderdesk-server
    section "start: orderdesk-server --demo"
    "$target_dir/debug/orderdesk-server" --demo &
    server_pid=$!
    trap stop_server EXIT
    # TODO(server issue): wait for the server's readiness (e.g. its health endpoint) here.
else
    info "no orderdesk-server package in the workspace yet: starting the desktop app alone"
fi

# --- the desktop app ---------------------------------------------------------------------------
app="$target_dir/debug/orderdesk"
section "start: $app"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    "$app" "$@"
else
    info "no DISPLAY: running under Xvfb (headless); close with Ctrl-C"
    xvfb-run -a -s "-screen 0 1400x900x24" "$app" "$@"
fi
