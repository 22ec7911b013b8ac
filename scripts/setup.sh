#!/usr/bin/env bash
# Installs what Orderdesk needs to build, run and test on a fresh Debian 12 machine.
# Idempotent: every step checks first and skips what is already there, so
# scripts/run.sh and scripts/test.sh call it on every run.
#
# Usage: bash scripts/setup.sh [--rust] [--desktop] [--ui] [--e2e] [--all]
#   --rust     cargo with rustfmt and clippy
#   --desktop  the WebKitGTK stack Tauri links against, plus Xvfb for headless runs
#   --ui       Node.js/npm and ui/node_modules (npm ci)
#   --e2e      what scripts/e2e.sh drives the app with: WebKitWebDriver, Xvfb, tauri-driver,
#              xwininfo and ImageMagick (screenshots)
#   --all      all of the above (the default when no flag is given)
# ORDERDESK_SETUP="rust,ui" selects the same subsets through the environment.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_rust=0 want_desktop=0 want_ui=0 want_e2e=0
select_part() {
    case "$1" in
        rust) want_rust=1 ;;
        desktop) want_desktop=1 ;;
        ui) want_ui=1 ;;
        e2e) want_e2e=1 ;;
        all) want_rust=1 want_desktop=1 want_ui=1 want_e2e=1 ;;
        *) die "unknown setup part '$1' (expected rust, desktop, ui, e2e or all)" ;;
    esac
}
for arg in "$@"; do
    case "$arg" in
        --rust | --desktop | --ui | --e2e | --all) select_part "${arg#--}" ;;
        -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown flag '$arg' (see --help)" ;;
    esac
done
if [[ $# -eq 0 ]]; then
    IFS=', ' read -r -a parts <<<"${ORDERDESK_SETUP:-all}"
    for part in "${parts[@]}"; do
        [[ -n "$part" ]] && select_part "$part"
    done
fi

# --- privileges and apt --------------------------------------------------------------------

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif have sudo; then
        sudo "$@"
    else
        die "installing system packages needs root or sudo: $*"
    fi
}

# Packages (from the lists given) that dpkg does not report as installed.
missing_packages() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
            printf '%s\n' "$pkg"
        fi
    done
}

apt_updated=0
apt_install() {
    local missing
    mapfile -t missing < <(missing_packages "$@")
    if [[ ${#missing[@]} -eq 0 ]]; then
        info "apt packages present: $*"
        return
    fi
    have apt-get || die "apt-get not found: this script targets Debian 12; install by hand: ${missing[*]}"
    if [[ $apt_updated -eq 0 ]]; then
        info "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        apt_updated=1
    fi
    info "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- parts ---------------------------------------------------------------------------------

setup_base() {
    section "setup: base tools"
    # build-essential and pkg-config are needed by -sys crates; curl/file/ca-certificates by
    # registry clients and the scripts.
    apt_install build-essential pkg-config ca-certificates curl file git
}

setup_rust() {
    section "setup: rust"
    if ! have cargo; then
        # The machine's toolchain comes from rustup; no other toolchain can be downloaded,
        # so Debian's packages are the only fallback. They may be older than rust-version.
        info "cargo not found on PATH; falling back to Debian's cargo/rustc packages"
        apt_install cargo rustc rustfmt
    fi
    have cargo || die "cargo is still missing after setup"
    info "$(cargo --version)"
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        if have rustup; then
            rustup component add rustfmt clippy
        else
            die "cargo fmt/cargo clippy missing and no rustup to add them (Debian: apt-get install rustfmt rust-clippy)"
        fi
    fi
    info "$(cargo fmt --version), $(cargo clippy --version)"
}

setup_desktop() {
    section "setup: desktop (WebKitGTK, Xvfb)"
    # What Tauri 2 links against on Linux, plus Xvfb/xauth so the app can start headless,
    # and a font so WebKit can draw text on a bare machine.
    apt_install \
        libwebkit2gtk-4.1-dev \
        libxdo-dev \
        libssl-dev \
        libayatana-appindicator3-dev \
        librsvg2-dev \
        xvfb \
        xauth \
        fonts-dejavu-core
}

setup_ui() {
    section "setup: ui (Node.js, npm ci)"
    if ! have node; then
        apt_install nodejs npm
    elif ! have npm; then
        apt_install npm
    fi
    local node_major
    node_major="$(node -p 'process.versions.node.split(".")[0]')"
    info "node $(node --version), npm $(npm --version)"
    if [[ $node_major -lt 20 ]]; then
        die "Vite needs Node.js >= 20.19; found $(node --version) (Debian 12's nodejs is 18: install Node.js 20+)"
    fi

    local ui="$ORDERDESK_ROOT/ui"
    local stamp="$ui/node_modules/.orderdesk-npm-ci.stamp"
    local want
    want="$(cat "$ui/package-lock.json" "$ui/package.json" | sha256sum | cut -d' ' -f1) node-$node_major"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        info "ui/node_modules matches package-lock.json"
    else
        info "npm ci in ui/"
        (cd "$ui" && npm ci --no-audit --no-fund)
        printf '%s\n' "$want" >"$stamp"
    fi
}

# The WebDriver pinned for tauri-driver: the version the end-to-end tests were written against.
TAURI_DRIVER_VERSION=2.1.0

setup_e2e() {
    section "setup: e2e (WebKitWebDriver, Xvfb, tauri-driver)"
    # webkit2gtk-driver is /usr/bin/WebKitWebDriver, the WebDriver of the WebKitGTK the app
    # runs in; tauri-driver starts it and launches the app binary for each session. x11-utils
    # (xwininfo) and imagemagick (import): the tests take their screenshots of the app's window
    # from the X display (ui/e2e/display.ts says why).
    apt_install webkit2gtk-driver xvfb xauth x11-utils imagemagick
    have WebKitWebDriver || die "WebKitWebDriver missing after installing webkit2gtk-driver"
    # tauri-driver prints no version of its own; cargo's install list says which one is there.
    if have tauri-driver && have cargo &&
        cargo install --list | grep "^tauri-driver v${TAURI_DRIVER_VERSION}:" >/dev/null; then
        info "tauri-driver ${TAURI_DRIVER_VERSION} present: $(command -v tauri-driver)"
        return
    fi
    have cargo || die "installing tauri-driver needs cargo (bash scripts/setup.sh --rust)"
    info "cargo install tauri-driver ${TAURI_DRIVER_VERSION} (into ${CARGO_HOME:-$HOME/.cargo}/bin)"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
    have tauri-driver || die "tauri-driver is not on PATH after cargo install (is ${CARGO_HOME:-$HOME/.cargo}/bin on PATH?)"
}

setup_base
[[ $want_rust -eq 1 ]] && setup_rust
[[ $want_desktop -eq 1 ]] && setup_desktop
[[ $want_ui -eq 1 ]] && setup_ui
[[ $want_e2e -eq 1 ]] && setup_e2e
section "setup: done"
