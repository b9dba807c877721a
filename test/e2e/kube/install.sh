#!/usr/bin/env bash
# Provides etcd, kube-apiserver, kubectl, kube-controller-manager and kube-scheduler
# for the end-to-end and system tests, built with
# Go from the module proxy at the versions pinned by go.mod/go.sum beside this
# script. The binaries live in a cache outside the clone:
#   ${KUBE_BIN_CACHE:-$HOME/.cache/rocketmq-operator/kube}/<kubernetes version>/
# and are rebuilt only when the pins change. The directory is printed as the
# last line of stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${KUBE_BIN_CACHE:-${HOME:-/root}/.cache/rocketmq-operator/kube}"

log() { echo "install.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "the go toolchain is required (go.mod asks for $(awk '/^go /{print $2}' "$here/go.mod") or newer)"

# Versions come from go.mod only, so a bump there is all it takes to rebuild.
kube_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")"
etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")"
[[ -n "$kube_version" ]] || die "no k8s.io/kubernetes version in $here/go.mod"
[[ -n "$etcd_version" ]] || die "no go.etcd.io/etcd/server/v3 version in $here/go.mod"

out="$cache_root/$kube_version"
stamp="$out/.complete"
# The stamp also names etcd's version and go.sum's digest: a changed pin of
# either without a Kubernetes bump must not reuse stale binaries.
want="kubernetes=$kube_version etcd=$etcd_version gosum=$(sha256sum "$here/go.sum" | cut -c1-16)"

have_all() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$out/etcd" && -x "$out/kube-apiserver" && -x "$out/kubectl" \
     && -x "$out/kube-controller-manager" && -x "$out/kube-scheduler" ]]
}

if have_all; then
  echo "$out"
  exit 0
fi

mkdir -p "$out"
# Several test files may ask at once; only one of them builds.
exec 9>"$out/.lock"
if ! flock -n 9; then
  log "another build of $kube_version is running, waiting for it"
  flock 9
fi
if have_all; then
  echo "$out"
  exit 0
fi

rm -f "$stamp"
log "building kube-apiserver, kubectl, kube-controller-manager, kube-scheduler ($kube_version) and etcd ($etcd_version) into $out; this takes a while the first time"
start=$SECONDS

minor="${kube_version#v1.}"
minor="${minor%%.*}"
ldflags="-s -w"
# Same variables as Kubernetes' own release build sets, so `kubectl version`
# and the apiserver's /version report the real release instead of v0.0.0-master.
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
done

tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

build() { # <output name> <package> [ldflags]
  log "go build $2"
  (cd "$here" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" \
    go build -trimpath -ldflags "${3:--s -w}" -o "$tmp/$1" "$2") >&2
}
build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$ldflags"
build kubectl k8s.io/kubernetes/cmd/kubectl "$ldflags"
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$ldflags"
build kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$ldflags"

for b in etcd kube-apiserver kubectl kube-controller-manager kube-scheduler; do
  mv -f "$tmp/$b" "$out/$b"
done
"$out/kubectl" version --client >&2
"$out/etcd" --version >&2
# Written last: a build cut short leaves no stamp and is redone next time.
echo "$want" >"$stamp"
log "built in $((SECONDS - start))s"
echo "$out"
