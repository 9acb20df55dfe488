#!/usr/bin/env bash
# Builds openclaw-cloud/standin:latest, a tiny gateway stand-in for fast tests (see
# standin/server.mjs): FROM scratch with a node binary, the libraries ldd lists for it, the `ws`
# package and the server. Listens on 18789 like OpenClaw, runs as uid 1000, starts in ~50 ms.
#
# Env: IMAGE (default openclaw-cloud/standin:latest), STANDIN_NODE (node binary to ship; default:
# the host's `node`), FORCE=1 to rebuild even when the image exists and is up to date.
set -euo pipefail

IMAGE="${IMAGE:-openclaw-cloud/standin:latest}"
GATEWAY_PORT=18789

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"
need docker tar ldd sha256sum

node_bin=$(readlink -f "${STANDIN_NODE:-$(command -v node)}")
ws_dir="$repo/node_modules/ws"
[ -x "$node_bin" ] || die "node binary not found: $node_bin"
[ -f "$ws_dir/package.json" ] || die "$ws_dir is missing; run npm install in $repo first"

# Content hash of everything that goes into the image: rebuild only when one of them changed.
inputs_hash=$( { sha256sum "$node_bin" "$here/standin/server.mjs" "$here/build-standin-image.sh" "$here/lib.sh";
  find "$ws_dir" -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
old_id=$(docker image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null || true)
if [ "${FORCE:-0}" != 1 ] && [ -n "$old_id" ] &&
   [ "$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "openclaw.cloud/inputs"}}')" = "$inputs_hash" ]; then
  step "$IMAGE is up to date (inputs $inputs_hash); nothing to do"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

step "assembling the root filesystem (node $("$node_bin" -v) from $node_bin)"
base_rootfs "$rootfs"
copy_with_libs "$rootfs" "$node_bin" /usr/local/bin/node
mkdir -p "$rootfs/app/node_modules"
cp -a "$ws_dir" "$rootfs/app/node_modules/ws"
cp "$here/standin/server.mjs" "$rootfs/app/server.mjs"
printf '{ "name": "openclaw-cloud-standin", "private": true, "type": "module" }\n' > "$rootfs/app/package.json"
step "rootfs: $(du -sh "$rootfs" | cut -f1)"

cat > "$work/Dockerfile" <<EOF
ENV PATH=/usr/local/bin:/usr/bin:/bin \\
    HOME=/home/node \\
    NODE_ENV=production \\
    OPENCLAW_GATEWAY_PORT=$GATEWAY_PORT
LABEL org.opencontainers.image.title="OpenClaw gateway stand-in (openclaw-cloud tests)" \\
      openclaw.cloud/inputs="$inputs_hash"
WORKDIR /app
USER node
EXPOSE $GATEWAY_PORT
CMD ["node", "/app/server.mjs"]
EOF
step "docker import + metadata -> $IMAGE"
image_from_rootfs "$IMAGE" "$rootfs" "$work/Dockerfile"
new_id=$(docker image inspect "$IMAGE" --format '{{.Id}}')
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
step "built $IMAGE ($(human_size "$(docker image inspect "$IMAGE" --format '{{.Size}}')"))"
