#!/usr/bin/env bash
# The whole check suite, as CI runs it (.ci/run): setup, then Rust format, lint and tests for
# the workspace (the desktop crate included), then the UI's typecheck, lint and tests, and the
# end-to-end tests (scripts/e2e.sh: the real app driven over WebDriver, the real server).
# Every check runs even after one fails; the script exits non-zero if any failed.
# Needs the network only in setup (apt, npm ci); the checks themselves stay on this machine.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORDERDESK_ROOT"

started=$SECONDS
bash scripts/setup.sh --all

# A committed Cargo.lock is the one to test; without one cargo resolves afresh.
locked=()
[[ -f Cargo.lock ]] && locked=(--locked)

failed=()
check() {
    local name="$1"
    shift
    section "$name"
    local t0=$SECONDS
    if "$@"; then
        info "ok: $name ($((SECONDS - t0))s)"
    else
        info "FAILED: $name ($((SECONDS - t0))s)"
        failed+=("$name")
    fi
}

ui() {
    (cd ui && "$@")
}

check "cargo fmt" cargo fmt --all --check
# Clippy first: its errors come fastest, and the build scripts and proc macros it compiles are
# reused by the test build that follows (dependencies are checked once and built once).
check "cargo clippy" cargo clippy "${locked[@]}" --workspace --all-targets -- -D warnings
check "cargo test" cargo test "${locked[@]}" --workspace
check "ui typecheck" ui npm run typecheck
check "ui lint" ui npm run lint
check "ui test" ui npm test
# The real app over WebDriver against the real server (setup above installed tauri-driver).
check "ui e2e" env ORDERDESK_E2E_SKIP_SETUP=1 bash scripts/e2e.sh

section "summary ($((SECONDS - started))s)"
total=$(grep -c '^check "' "${BASH_SOURCE[0]}")
if [[ ${#failed[@]} -gt 0 ]]; then
    info "failed: ${failed[*]}"
    echo "checks: $((total - ${#failed[@]})) passed, ${#failed[@]} failed"
    exit 1
fi
echo "checks: ${total} passed, 0 failed"
