#!/usr/bin/env bash
# Provides the helm binary for the chart tests, built with Go from the module
# proxy at the version pinned by go.mod/go.sum beside this script. The binary
# lives in a cache outside the clone:
#   ${HELM_BIN_CACHE:-$HOME/.cache/rocketmq-operator/helm}/<helm version>/helm
# and is rebuilt only when the pins change. The binary's path is printed as the
# last line of stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${HELM_BIN_CACHE:-${HOME:-/root}/.cache/rocketmq-operator/helm}"

log() { echo "helm/install.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "the go toolchain is required (go.mod asks for $(awk '/^go /{print $2}' "$here/go.mod") or newer)"

# Versions come from go.mod only, so a bump there is all it takes to rebuild.
helm_version="$(awk '$1 == "helm.sh/helm/v3" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")"
client_go_version="$(awk '$1 == "k8s.io/client-go" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")"
[[ -n "$helm_version" ]] || die "no helm.sh/helm/v3 version in $here/go.mod"
[[ -n "$client_go_version" ]] || die "no k8s.io/client-go version in $here/go.mod"

out="$cache_root/$helm_version"
stamp="$out/.complete"
# The stamp also names go.sum's digest: a changed dependency pin without a
# Helm bump must not reuse a stale binary.
want="helm=$helm_version gosum=$(sha256sum "$here/go.sum" | cut -c1-16)"

have_it() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$out/helm" ]]
}

if have_it; then
  echo "$out/helm"
  exit 0
fi

mkdir -p "$out"
# Several test files may ask at once; only one of them builds.
exec 9>"$out/.lock"
if ! flock -n 9; then
  log "another build of helm $helm_version is running, waiting for it"
  flock 9
fi
if have_it; then
  echo "$out/helm"
  exit 0
fi

rm -f "$stamp"
log "building helm $helm_version into $out; this takes a while the first time"
start=$SECONDS

# The variables Helm's own Makefile sets: the release version, and the
# Kubernetes version `helm template` and `helm lint` assume without a cluster
# (client-go v0.N.x is Kubernetes 1.N).
k8s_minor="${client_go_version#v0.}"
k8s_minor="${k8s_minor%%.*}"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done

tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

log "go build helm.sh/helm/v3/cmd/helm"
(cd "$here" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" \
  go build -trimpath -ldflags "$ldflags" -o "$tmp/helm" helm.sh/helm/v3/cmd/helm) >&2

mv -f "$tmp/helm" "$out/helm"
"$out/helm" version >&2
# Written last: a build cut short leaves no stamp and is redone next time.
echo "$want" >"$stamp"
log "built in $((SECONDS - start))s"
echo "$out/helm"
