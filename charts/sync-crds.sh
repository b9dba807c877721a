#!/usr/bin/env bash
# Copies the repository's CRDs (crds/, the one source of truth) into the chart, which must carry
# its own copies because Helm reads nothing outside a chart. test/unit/chart.test.ts fails when the
# copies differ, so run this (npm run chart:crds) after changing a CRD.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/charts/rocketmq-operator/crds"
rm -f "$dest"/*.yaml
for f in $(awk '/^resources:/{on=1; next} on && /^ *- /{print $2} on && !/^ *- /{on=0}' "$root/crds/kustomization.yaml"); do
  cp "$root/crds/$f" "$dest/$f"
done
ls "$dest"
