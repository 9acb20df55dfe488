#!/usr/bin/env bash
# Prints the path of a Node 24 binary, fetched once from the npm registry (package
# node-linux-<arch>) and cached: production, the box and OpenClaw itself run on Node 24, this
# machine's own Node is 20.
# Env: NODE24_ARCH (x64, the default, or arm64: a box's binary, printed without being run),
# NODE24_VERSION (default: the newest 24.x the registry has for that arch), OPENCLAW_CLOUD_CACHE.
set -euo pipefail
NODE24_ARCH="${NODE24_ARCH:-x64}"
case "$NODE24_ARCH" in
  x64) default_version=24.22.3 ;;
  arm64) default_version=24.22.0 ;;
  *) echo "error: NODE24_ARCH must be x64 or arm64, not '$NODE24_ARCH'" >&2; exit 2 ;;
esac
NODE24_VERSION="${NODE24_VERSION:-$default_version}"
CACHE_DIR="${OPENCLAW_CLOUD_CACHE:-/var/cache/openclaw-cloud}"
# x64 keeps its original cache path so existing caches stay valid.
node_dir="$CACHE_DIR/node/$NODE24_VERSION"
[ "$NODE24_ARCH" = x64 ] || node_dir="$CACHE_DIR/node/$NODE24_VERSION-$NODE24_ARCH"
node_bin="$node_dir/package/bin/node"
runs_here () { [ "$NODE24_ARCH" != x64 ] || "$1" -v >/dev/null 2>&1; }
if ! { [ -x "$node_bin" ] && runs_here "$node_bin"; }; then
  echo "fetching node-linux-$NODE24_ARCH@$NODE24_VERSION from the npm registry into $node_dir" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tgz=$(cd "$work" && npm pack "node-linux-$NODE24_ARCH@$NODE24_VERSION" --silent | tail -n1)
  mkdir -p "$work/unpacked" && tar -xzf "$work/$tgz" -C "$work/unpacked"
  runs_here "$work/unpacked/package/bin/node" || { echo "error: the Node $NODE24_VERSION binary does not run here" >&2; exit 1; }
  mkdir -p "$(dirname "$node_dir")" && rm -rf "$node_dir" && mv "$work/unpacked" "$node_dir"
fi
printf '%s\n' "$node_bin"
