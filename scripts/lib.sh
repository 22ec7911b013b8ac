# Shared helpers for scripts/*.sh. Sourced, never run on its own.
# shellcheck shell=bash

ORDERDESK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ORDERDESK_ROOT

# rustup installs into ~/.cargo/bin, which a non-login shell (CI, sudo) may not have on PATH.
if [[ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]]; then
    case ":$PATH:" in
        *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
        *) PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
    esac
    export PATH
fi

section() {
    printf '\n==== %s ====\n' "$*"
}

info() {
    printf '  - %s\n' "$*"
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

have() {
    command -v "$1" >/dev/null 2>&1
}

# --- background processes (scripts/e2e.sh, scripts/bench-app.sh) ----------------------------
# bg_start runs a command in the background in its own session and process group (setsid), its
# output in $BG_DIR/NAME.log, so bg_stop_all can end it together with everything it started.
# BG_DIR must be set first (a temp dir of the caller's).
BG_PIDS=()

bg_start() {
    local name="$1"
    shift
    setsid "$@" >"$BG_DIR/$name.log" 2>&1 </dev/null &
    BG_PIDS+=($!)
}

# The pid (= process group) of the last bg_start.
bg_last() {
    printf '%s\n' "${BG_PIDS[-1]}"
}

# bg_wait_line NAME PATTERN SECONDS: waits until NAME.log has a line matching PATTERN (ERE); dies
# if the last started process exits first or time runs out.
bg_wait_line() {
    local name="$1" pattern="$2" seconds="$3" pid
    pid="$(bg_last)"
    local deadline=$((SECONDS + seconds))
    until grep -qE "$pattern" "$BG_DIR/$name.log" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || die "$name exited (log: $BG_DIR/$name.log)"
        [[ $SECONDS -lt $deadline ]] || die "$name did not print /$pattern/ within ${seconds}s"
        sleep 0.1
    done
}

# Ends every process group bg_start made: TERM, up to 3 s, then KILL.
bg_stop_all() {
    local pid
    for pid in "${BG_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${BG_PIDS[@]}"; do
        for _ in $(seq 1 30); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    BG_PIDS=()
}

# Prints the last lines of every non-empty log in BG_DIR (after a failure).
bg_show_logs() {
    local log
    for log in "$BG_DIR"/*.log; do
        [[ -s "$log" ]] || continue
        printf '\n---- %s (last 40 lines) ----\n' "${log#"$BG_DIR"/}" >&2
        tail -n 40 "$log" >&2
    done
}

# A TCP port free on 127.0.0.1 right now.
free_port() {
    node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# start_demo_server BINARY DATA_DIR [ARGS...]: orderdesk-server --demo on 127.0.0.1 and a free
# port; sets SERVER_URL from its `listening on` line.
start_demo_server() {
    local binary="$1" data_dir="$2"
    shift 2
    mkdir -p "$data_dir"
    bg_start server "$binary" --demo --addr 127.0.0.1:0 --data-dir "$data_dir" \
        --fixtures "$ORDERDESK_ROOT/fixtures" "$@"
    bg_wait_line server '^listening on http://' 60
    SERVER_URL="$(grep -m1 '^listening on http://' "$BG_DIR/server.log" | grep -oE 'http://[0-9.]+:[0-9]+')"
}

# Starts Xvfb on a display number it picks (-displayfd) when there is no $DISPLAY; exports DISPLAY.
ensure_display() {
    if [[ -z "${DISPLAY:-}" ]]; then
        bg_start xvfb bash -c 'exec Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$1/display.log"' _ "$BG_DIR"
        bg_wait_line display '^[0-9]+$' 20
        DISPLAY=":$(head -n1 "$BG_DIR/display.log")"
        info "Xvfb on $DISPLAY"
    fi
    export DISPLAY
}

# The cargo target directory (target/ unless configured otherwise).
cargo_target_dir() {
    cargo metadata --no-deps --format-version 1 |
        node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))'
}

# start_tauri_driver APP_DATA_DIR XDG_ROOT: tauri-driver on a free port (WebKitWebDriver on
# another), with the app's profiles in APP_DATA_DIR (ORDERDESK_DATA_DIR) and WebKit's storage
# and caches under XDG_ROOT, both inherited by every app it launches; sets DRIVER_URL once it
# answers.
start_tauri_driver() {
    local app_data="$1" xdg="$2" port native
    mkdir -p "$app_data" "$xdg/data" "$xdg/config" "$xdg/cache"
    port="$(free_port)"
    native="$(free_port)"
    bg_start tauri-driver env \
        ORDERDESK_DATA_DIR="$app_data" \
        ORDERDESK_FIXTURES_DIR="$ORDERDESK_ROOT/fixtures" \
        XDG_DATA_HOME="$xdg/data" \
        XDG_CONFIG_HOME="$xdg/config" \
        XDG_CACHE_HOME="$xdg/cache" \
        tauri-driver --port "$port" --native-port "$native"
    DRIVER_URL="http://127.0.0.1:$port"
    local deadline=$((SECONDS + 20))
    until curl -fsS "$DRIVER_URL/status" >/dev/null 2>&1; do
        kill -0 "$(bg_last)" 2>/dev/null || die "tauri-driver exited"
        [[ $SECONDS -lt $deadline ]] || die "tauri-driver did not answer on $DRIVER_URL within 20s"
        sleep 0.1
    done
    info "tauri-driver: $DRIVER_URL (WebKitWebDriver on $native)"
}
