#!/usr/bin/env bash
# The desktop app's launch and memory benchmark (BENCHMARKS.md, "Desktop app: launch and
# memory"; issue 4's targets: first screen within 1.5 s of launch, resident memory under 250 MB
# with 100,000 local orders).
#
# Builds the UI and the app with it embedded (custom-protocol, as shipped) in the chosen cargo
# profile, the server and the seed tool; starts the demo server on a free port, Xvfb (without a
# $DISPLAY) and tauri-driver, all in a temp dir removed afterwards; seeds U-AGENT-1's profile
# for that server with N synthetic synced orders (tests/src/bin/seed-local-profile.rs: the local
# store's testkit, as its bench seeds them); then scripts/bench-app.mjs launches the app RUNS
# times to time the first screen, and signs in twice (demo-agent-2: empty profile, the
# baseline; demo-agent-1: the seeded profile), opens "My orders" and reads the memory of the
# app's process tree.
#
# Usage: bash scripts/bench-app.sh [--release] [--runs N] [--orders N] [--no-build] [--app PATH]
#   --release   measure the release build (what users get; default: the dev build)
#   --no-build  measure the binaries already built
#   --app PATH  measure this app binary (e.g. a copy of an earlier build) instead of the built one
#   --runs N    launches to time (default 5)
#   --orders N  local orders to seed (default 100000)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORDERDESK_ROOT"

profile=debug runs=5 orders=100000 build=1 app=
while [[ $# -gt 0 ]]; do
    case "$1" in
        --release) profile=release ;;
        --no-build) build=0 ;;
        --runs) runs="$2"; shift ;;
        --orders) orders="$2"; shift ;;
        --app) app="$2"; shift ;;
        -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

bash scripts/setup.sh --desktop --ui --e2e
locked=()
[[ -f Cargo.lock ]] && locked=(--locked)

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/orderdesk-bench-app.XXXXXX")"
BG_DIR="$run_dir"
cleanup() {
    local status=$?
    bg_stop_all
    if [[ $status -ne 0 ]]; then
        bg_show_logs
    fi
    rm -rf "$run_dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $build == 1 ]]; then
    section "bench-app: build ($profile app with the UI embedded; server and seed tool)"
    (cd ui && npx vite build --logLevel warn)
    cargo_profile=()
    [[ $profile == release ]] && cargo_profile=(--release)
    cargo build "${locked[@]}" "${cargo_profile[@]}" -p orderdesk-desktop --features custom-protocol
    cargo build "${locked[@]}" -p orderdesk-server
    cargo build "${locked[@]}" -p orderdesk-scenarios --bin seed-local-profile
fi
target_dir="$(cargo_target_dir)"
mkdir -p "$run_dir/bin"
cp "${app:-$target_dir/$profile/orderdesk}" "$run_dir/bin/orderdesk"
cp "$target_dir/debug/orderdesk-server" "$target_dir/debug/seed-local-profile" "$run_dir/bin/"

section "bench-app: start the server, seed $orders local orders, start the display and tauri-driver"
start_demo_server "$run_dir/bin/orderdesk-server" "$run_dir/server"
info "server: $SERVER_URL"
t0=$SECONDS
"$run_dir/bin/seed-local-profile" --data-dir "$run_dir/app-data" --server-url "$SERVER_URL" \
    --user U-AGENT-1 --orders "$orders"
info "seeded in $((SECONDS - t0))s ($(du -sh "$run_dir/app-data" | cut -f1) on disk)"
ensure_display
start_tauri_driver "$run_dir/app-data" "$run_dir/xdg"

section "bench-app: measure ($profile build, $runs launches)"
info "machine: $(nproc) cores; load before: $(uptime)"
info "WebKit/JSC/malloc settings from the environment (the app adds its own defaults where unset): $(env | grep -E '^(WEBKIT_|JSC_|MALLOC_|GLIBC_TUNABLES=)' | sort | tr '\n' ' ' || true)"
# In the background and waited for, so that Ctrl-C or TERM stops it with everything else.
BENCH_DRIVER_URL="$DRIVER_URL" \
    BENCH_APP="$run_dir/bin/orderdesk" \
    BENCH_SERVER_URL="$SERVER_URL" \
    BENCH_RUNS="$runs" \
    BENCH_SEEDED_TOKEN=demo-agent-1 \
    BENCH_EMPTY_TOKEN=demo-agent-2 \
    setsid node scripts/bench-app.mjs </dev/null &
BG_PIDS+=($!)
wait "$(bg_last)"
info "load after: $(uptime)"
