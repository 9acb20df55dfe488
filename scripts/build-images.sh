#!/usr/bin/env bash
# Builds the tenant images offline, stand-in first (seconds) then the real OpenClaw gateway
# (minutes from an empty cache, seconds when cached, nothing when the tag exists). Used by CI.
#
#   scripts/build-images.sh                 both images
#   scripts/build-images.sh standin         only the stand-in
#   FORCE=1 scripts/build-images.sh         rebuild even if the tags exist
#   OPENCLAW_VERSION=x.y.z scripts/build-images.sh
#
# Cache: ${OPENCLAW_CLOUD_CACHE:-/var/cache/openclaw-cloud}
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
which=${1:-all}
case $which in all|standin|gateway) ;; *) echo "usage: $0 [all|standin|gateway]" >&2; exit 2 ;; esac

summary=()
build () {
  local name=$1 script=$2 start elapsed
  start=$(date +%s)
  echo "### building $name image"
  bash "$script"
  elapsed=$(( $(date +%s) - start ))
  summary+=("$(printf '%-8s %5ss' "$name" "$elapsed")")
}

total_start=$(date +%s)
[ "$which" = gateway ] || build standin "$here/images/build-standin-image.sh"
[ "$which" = standin ] || build gateway "$here/images/build-gateway-image.sh"

echo "### done in $(( $(date +%s) - total_start ))s"
printf '  %s\n' "${summary[@]}"
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}  created {{.CreatedSince}}' \
  | grep -E 'openclaw-cloud/(standin|openclaw)' || true
