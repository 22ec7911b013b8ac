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
