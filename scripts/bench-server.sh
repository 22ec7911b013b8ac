#!/usr/bin/env bash
# The central server's benchmarks (BENCHMARKS.md), measured over HTTP on this machine with
# orderdesk-loadgen:
#   1. a fresh demo server: durable creates from 32 clients, then GET by id from 32 clients;
#   2. a server over 1,000,000 seeded orders: filtered first pages (four desk filters, 1 and 32
#      clients), then GET by id again.
# Release binaries; servers on 127.0.0.1:0 with temp data dirs; a summary at the end; every
# process it started is stopped (by PID) and every temp dir removed, also on Ctrl-C.
#
# Settings (environment):
#   CREATE_SECS=20 GET_SECS=20 LIST_SECS=10 WARMUP_SECS=2   measured seconds per run
#   CLIENTS=32 LIST_CLIENTS="1 4 32"                         concurrent clients
#   ORDERS=1000000                                           seeded orders for the list runs
#   DRAIN_SECS=60     after the creates, wait up to this long for validation to catch up
#   SETTLE_MIN_SECS=70 SETTLE_SECS=240   after a start over the seeded orders, wait at least
#                     SETTLE_MIN_SECS (past the first jeopardy sweep, 60 s after start) and at
#                     most SETTLE_SECS for the server's start-up passes to go quiet
#   PHASES="1 2"      which of the two parts to run (PHASES=1: the creates alone, ~2 min)
#   ORDERDESK_SERVER_BIN=path   measure that server binary instead of this tree's
#   KEEP=1            keep the temp dir (logs, data) for inspection
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORDERDESK_ROOT"

CREATE_SECS="${CREATE_SECS:-20}"
GET_SECS="${GET_SECS:-20}"
LIST_SECS="${LIST_SECS:-10}"
WARMUP_SECS="${WARMUP_SECS:-2}"
CLIENTS="${CLIENTS:-32}"
LIST_CLIENTS="${LIST_CLIENTS:-1 4 32}"
ORDERS="${ORDERS:-1000000}"
DRAIN_SECS="${DRAIN_SECS:-60}"
SETTLE_MIN_SECS="${SETTLE_MIN_SECS:-70}"
SETTLE_SECS="${SETTLE_SECS:-240}"
PHASES="${PHASES:-1 2}"
# An integration user (the web shop's CPQ): may create and read orders.
TOKEN="demo-integration-web"

have jq || die "jq is needed to read the load generator's results (apt-get install jq)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed (apt-get install time)"

section "build (release): orderdesk-server, orderdesk-loadgen"
cargo build --release -p orderdesk-server -p orderdesk-loadgen
target_dir="$(cargo metadata --no-deps --format-version 1 | jq -r .target_directory)"
server_bin="${ORDERDESK_SERVER_BIN:-$target_dir/release/orderdesk-server}"
loadgen="$target_dir/release/orderdesk-loadgen"
[[ -x "$server_bin" ]] || die "no server binary at $server_bin"

work="$(mktemp -d "${TMPDIR:-/tmp}/orderdesk-bench.XXXXXX")"
results="$work/results.jsonl"
: >"$results"
server_pids=()

stop_server() {
    local pid="$1" kept=() p
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in "${server_pids[@]}"; do
        [[ "$p" == "$pid" ]] || kept+=("$p")
    done
    server_pids=("${kept[@]+"${kept[@]}"}")
}

cleanup() {
    local pid
    for pid in "${server_pids[@]+"${server_pids[@]}"}"; do
        stop_server "$pid"
    done
    if [[ "${KEEP:-0}" == 1 ]]; then
        info "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME DATA_DIR: `--demo` on 127.0.0.1:0; sets $pid and $url.
start_server() {
    local name="$1" dir="$2"
    "$server_bin" --demo --addr 127.0.0.1:0 --data-dir "$dir" >"$work/$name.out" 2>"$work/$name.log" &
    pid=$!
    server_pids+=("$pid")
    for _ in $(seq 1 1200); do
        grep -q '^listening on ' "$work/$name.out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { tail -20 "$work/$name.log" >&2; die "$name: the server exited"; }
        sleep 0.1
    done
    url="$(sed -n 's/^listening on //p' "$work/$name.out" | head -1)"
    [[ -n "$url" ]] || die "$name: no 'listening on' line within 120 s (see $work/$name.log)"
    info "$name: $url (pid $pid)"
}

clk_tck="$(getconf CLK_TCK)"
# CPU seconds (user + system) a process has used so far, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# settle PID MIN_SECS MAX_SECS: waits at least MIN_SECS, then until the server has used under
# 10% of a core for 3 s in a row (at most MAX_SECS in all).
settle() {
    local pid="$1" min="$2" max="$3" quiet=0 before after waited=0
    while ((waited < max && (waited < min || quiet < 3))); do
        before="$(cpu_ticks "$pid")"
        sleep 1
        after="$(cpu_ticks "$pid")"
        waited=$((waited + 1))
        if (((after - before) * 10 < clk_tck)); then quiet=$((quiet + 1)); else quiet=0; fi
    done
    info "server quiet after ${waited} s (gave up at ${max} s: $([[ $quiet -ge 3 ]] && echo no || echo yes))"
}

# calc EXPR: floating-point arithmetic, two decimals.
calc() {
    awk "BEGIN { printf \"%.2f\", $1 }"
}

# Busy CPU ticks of the whole machine so far (every process, ours included).
machine_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# run NAME LOADGEN-ARGS...: one load generator run against server $pid. Its result line goes to
# $results with the cores the server, the load generator and everything else on the machine
# used meanwhile (the machine is shared: "others" is the noise).
run() {
    local name="$1"
    shift
    local srv0 srv1 all0 all1 t0 secs lg
    srv0="$(cpu_ticks "$pid")"
    all0="$(machine_ticks)"
    t0="$(date +%s.%N)"
    /usr/bin/time -f '%U %S' -o "$work/$name.time" \
        "$loadgen" "$@" --label "$name" | tee "$work/$name.txt" | grep -v '^result '
    srv1="$(cpu_ticks "$pid")"
    all1="$(machine_ticks)"
    secs="$(calc "$(date +%s.%N) - $t0")"
    lg="$(awk '{ print $1 + $2 }' "$work/$name.time")"
    grep '^result ' "$work/$name.txt" | sed 's/^result //' | jq -c \
        --argjson server "$(calc "($srv1 - $srv0) / $clk_tck / $secs")" \
        --argjson loadgen "$(calc "$lg / $secs")" \
        --argjson all "$(calc "($all1 - $all0) / $clk_tck / $secs")" \
        '. + {server_cores: $server, loadgen_cores: $loadgen,
              other_cores: ((($all - $server - $loadgen) * 100 | round) / 100)}' >>"$results"
}

section "machine"
info "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other builds)"
info "server: $server_bin"
info "tree: $(git rev-parse --short HEAD) + $(git status --porcelain | wc -l) uncommitted paths"
info "durability: $(grep -o '"synchronous", "[A-Z]*"' crates/store/src/connection.rs | tr -d '"' | tr ',' '=' | tr -d ' ') in WAL mode (crates/store/src/connection.rs); a create answers 201 after its commit"

# --- 1. a fresh demo server: creates, then GET by id ------------------------------------------
if [[ " $PHASES " == *" 1 "* ]]; then
section "1. fresh demo server: durable creates ($CLIENTS clients, ${CREATE_SECS} s), GET by id"
start_server demo "$work/demo"
run "create" create --url "$url" --token "$TOKEN" --clients "$CLIENTS" \
    --duration-secs "$CREATE_SECS" --warmup-secs "$WARMUP_SECS"
# Validation runs after the 201, in background workers: how fast does it catch up?
run "validation backlog" backlog --url "$url" --token "$TOKEN" --wait-secs "$DRAIN_SECS"
run "get (after the creates)" get --url "$url" --token "$TOKEN" --clients "$CLIENTS" \
    --duration-secs "$GET_SECS" --warmup-secs "$WARMUP_SECS"
stop_server "$pid"
fi

# --- 2. a server over $ORDERS seeded orders: filtered first pages, GET by id ------------------
if [[ " $PHASES " == *" 2 "* ]]; then
section "2. $ORDERS seeded orders: filtered first pages, GET by id"
# --demo loads the fixtures (users included) into an empty database only: load them first.
start_server seeded-init "$work/seeded"
stop_server "$pid"
"$loadgen" seed --data-dir "$work/seeded" --orders "$ORDERS" | tee "$work/seed.txt" | grep -v '^  [0-9]*/'
customer="$(sed -n 's/^sample customer=\([^ ]*\) .*/\1/p' "$work/seed.txt")"
since="$(sed -n 's/^sample since=\([^ ]*\) .*/\1/p' "$work/seed.txt")"
[[ -n "$customer" && -n "$since" ]] || die "the seeder named no sample customer or date"
start_server seeded "$work/seeded"
settle "$pid" "$SETTLE_MIN_SECS" "$SETTLE_SECS"

filters=(
    "state=held&sort=-orderDate&limit=20"
    "relatedParty.id=$customer&sort=-orderDate&limit=20"
    "productOrderItem.state=inProgress&sort=-orderDate&limit=20"
    "orderDate.gte=$since&sort=-orderDate&limit=20"
)
for filter in "${filters[@]}"; do
    for clients in $LIST_CLIENTS; do
        run "list ${filter%%&sort=*} (${clients}c)" list --url "$url" --token "$TOKEN" \
            --clients "$clients" --duration-secs "$LIST_SECS" --warmup-secs "$WARMUP_SECS" \
            --query "$filter"
    done
done
run "get (${ORDERS} orders)" get --url "$url" --token "$TOKEN" --clients "$CLIENTS" \
    --duration-secs "$GET_SECS" --warmup-secs "$WARMUP_SECS"
stop_server "$pid"
fi

section "summary ($(date -u +%Y-%m-%dT%H:%MZ))"
{
    echo "run|clients|ok/s|p50 ms|p90 ms|p99 ms|max ms|errors|cores: server|loadgen|others"
    jq -r '[.name, .clients, (.ok_per_sec | floor)]
            + (if .timed then [.p50_ms, .p90_ms, .p99_ms, .max_ms] else ["-", "-", "-", "-"] end)
            + [.errors, .server_cores, .loadgen_cores, .other_cores]
            | map(tostring) | join("|")' "$results"
} | column -t -s '|'
if jq -e 'select(.errors > 0)' "$results" >/dev/null; then
    info "SOME REQUESTS FAILED: see the ERRORS lines above"
fi
