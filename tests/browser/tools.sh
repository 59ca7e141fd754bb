#!/usr/bin/env bash
# Make sure the tools for the browser tests exist (tests/test_schemadoc_browser.py), installing
# only what is missing:
#
#   chromium        Debian's package (/usr/bin/chromium), driven headless by the playwright
#                   Python package, which never downloads a browser of its own here
#   fonts           DejaVu, the monospace font the SVG diagrams are measured for
#   mermaid.min.js  from the npm registry's `mermaid` package (npm pack, no dependencies: the
#                   dist bundle is self-contained), to check our Mermaid text the way GitHub
#                   draws it; kept in ${RECONCILER_TOOLS_DIR:-$HOME/.cache/reconciler-tools}
#
# Running it again when everything is there takes a second.
set -euo pipefail

TOOLS_DIR="${RECONCILER_TOOLS_DIR:-$HOME/.cache/reconciler-tools}"
MERMAID_VERSION="${RECONCILER_MERMAID_VERSION:-11.17.2}"
MERMAID_JS="$TOOLS_DIR/mermaid-$MERMAID_VERSION/mermaid.min.js"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

log() { printf '[browser-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

missing=()
for pkg in chromium fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} (Debian packages) by hand"
    log "apt-get update"
    $SUDO apt-get update -qq
    log "installing Debian packages: ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing Debian's chromium package"

if [ ! -s "$MERMAID_JS" ]; then
    command -v npm >/dev/null || die "npm not found: it fetches the mermaid package for the Mermaid checks"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    log "fetching mermaid@$MERMAID_VERSION from the npm registry"
    (cd "$work" && npm pack --silent "mermaid@$MERMAID_VERSION" >/dev/null)
    tar -xzf "$work"/mermaid-*.tgz -C "$work" package/dist/mermaid.min.js
    mkdir -p "$(dirname "$MERMAID_JS")"
    mv "$work/package/dist/mermaid.min.js" "$MERMAID_JS"
fi
log "ok: $(/usr/bin/chromium --version 2>/dev/null | head -1), mermaid $MERMAID_VERSION"
