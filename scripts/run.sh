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
# The central server in demo mode (fixtures/ data, the SOM simulator in-process), started first
# so the desktop app has something to sync with; stopped when the app exits.
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
    data_dir="${ORDERDESK_DATA_DIR:-$ORDERDESK_ROOT/.orderdesk/server}"
    addr="${ORDERDESK_SERVER_ADDR:-127.0.0.1:8622}"
    mkdir -p "$data_dir"
    log="$data_dir/server.log"
    section "start: orderdesk-server --demo on $addr (data in $data_dir)"
    # --demo loads fixtures/ into an empty database only, so a restart keeps every order, and
    # starts the SOM simulator in-process.
    "$target_dir/debug/orderdesk-server" --demo --addr "$addr" --data-dir "$data_dir" >"$log" 2>&1 &
    server_pid=$!
    trap stop_server EXIT
    for _ in $(seq 1 100); do
        grep -q '^listening on ' "$log" 2>/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; die "orderdesk-server exited"; }
        sleep 0.1
    done
    grep -q '^listening on ' "$log" || die "orderdesk-server did not start within 10 s (see $log)"
    info "$(grep -m1 '^listening on ' "$log") (demo users and tokens: fixtures/users.json)"
    export ORDERDESK_SERVER_URL="http://$addr"
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
