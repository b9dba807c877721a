#!/usr/bin/env bash
# Provides the `kwok` binary (simulated nodes and pods) for the system tests, built with Go from
# the module proxy at the version pinned by go.mod/go.sum beside this script, into a cache outside
# the clone:
#   ${KWOK_BIN_CACHE:-$HOME/.cache/rocketmq-operator/kwok}/<kwok version>/kwok
# rebuilt only when the pins change. The directory is printed as the last line of stdout;
# progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${KWOK_BIN_CACHE:-${HOME:-/root}/.cache/rocketmq-operator/kwok}"

log() { echo "kwok/install.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "the go toolchain is required"
version="$(awk '$1 == "sigs.k8s.io/kwok" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")"
[[ -n "$version" ]] || die "no sigs.k8s.io/kwok version in $here/go.mod"

out="$cache_root/$version"
stamp="$out/.complete"
want="kwok=$version gosum=$(sha256sum "$here/go.sum" | cut -c1-16)"
have_all() { [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$out/kwok" ]]; }

if have_all; then echo "$out"; exit 0; fi
mkdir -p "$out"
exec 9>"$out/.lock"
if ! flock -n 9; then
  log "another build of kwok $version is running, waiting for it"
  flock 9
fi
if have_all; then echo "$out"; exit 0; fi

rm -f "$stamp"
log "building kwok $version into $out"
start=$SECONDS
tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" \
  go build -trimpath -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok) >&2
mv -f "$tmp/kwok" "$out/kwok"
echo "$want" >"$stamp"
log "built in $((SECONDS - start))s"
echo "$out"
