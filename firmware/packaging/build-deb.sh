#!/usr/bin/env bash
# Builds the OpenClaw Box's Debian package: the daemon (dist/firmware + dist/protocol), the setup
# page's script, the production node_modules it imports (for the target CPU: sharp's prebuilt
# libvips included), a Node 24 runtime, the systemd unit and its configuration files.
#   firmware/packaging/build-deb.sh [--arch amd64|arm64] [--out DIR]
# Prints the path of the .deb. Needs dpkg-deb and the npm registry (npm's cache makes reruns fast).
# DEB_GZIP_LEVEL (1-9, default 9) trades the package's size for build time; the contents are the same.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
arch=amd64
out="$repo/dist/packages"
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    *) echo "error: unknown argument '$1' (usage: build-deb.sh [--arch amd64|arm64] [--out DIR])" >&2; exit 2 ;;
  esac
done
case "$arch" in
  amd64) npm_cpu=x64 ;;
  arm64) npm_cpu=arm64 ;;
  *) echo "error: --arch must be amd64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
case "${DEB_GZIP_LEVEL:-9}" in
  [1-9]) ;;
  *) echo "error: DEB_GZIP_LEVEL must be 1 to 9, not '$DEB_GZIP_LEVEL'" >&2; exit 2 ;;
esac
command -v dpkg-deb >/dev/null || { echo "error: dpkg-deb not found (Debian package dpkg)" >&2; exit 1; }
step () { echo "==> $*" >&2; }

cd "$repo"
if [ ! -f dist/firmware/cli.js ] || [ ! -f ui/dist-box-setup/box-setup.js ]; then
  step "building the firmware and the setup page (npm run build)"
  npm run build >&2
fi
version=$(node -p "require('./package.json').version")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
app="$stage/opt/openclaw-box"
mkdir -p "$app/dist" "$app/ui/dist-box-setup" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/etc/openclaw-box" "$stage/etc/NetworkManager/dnsmasq-shared.d" "$stage/DEBIAN"

step "openclaw-box $version for $arch: daemon and setup page"
cp -r dist/firmware dist/protocol "$app/dist/"
cp ui/dist-box-setup/box-setup.js "$app/ui/dist-box-setup/"
# package.json: the version the daemon reports, and exactly the packages its code imports, at the
# versions this repository locked.
npx tsx firmware/packaging/box-package-json.ts "$app/dist" > "$app/package.json"

step "production dependencies for linux-$npm_cpu"
(cd "$app" && npm install --omit=dev --no-audit --no-fund --no-package-lock --loglevel=error \
  --os=linux --cpu="$npm_cpu" --libc=glibc >&2)

step "Node 24 runtime for $npm_cpu"
node_bin=$(NODE24_ARCH="$npm_cpu" scripts/node24.sh)
mkdir -p "$app/node/bin"
cp "$node_bin" "$app/node/bin/node"
cp "$(dirname "$node_bin")/../LICENSE" "$app/node/LICENSE"

step "systemd unit, configuration and maintainer scripts"
install -m 0755 firmware/packaging/openclaw-box.sh "$stage/usr/bin/openclaw-box"
install -m 0644 firmware/systemd/openclaw-box.service "$stage/lib/systemd/system/"
install -m 0644 firmware/systemd/environment.example "$stage/etc/openclaw-box/environment"
install -m 0644 firmware/systemd/dnsmasq-shared.conf "$stage/etc/NetworkManager/dnsmasq-shared.d/openclaw-box.conf"
for script in postinst prerm postrm; do install -m 0755 "firmware/packaging/debian/$script" "$stage/DEBIAN/"; done
install -m 0644 firmware/packaging/debian/conffiles "$stage/DEBIAN/"
installed_kib=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_kib/" \
  firmware/packaging/debian/control > "$stage/DEBIAN/control"

mkdir -p "$out"
deb="$(cd "$out" && pwd)/openclaw-box_${version}_${arch}.deb"
step "dpkg-deb --build -> $deb"
dpkg-deb -Zgzip -z"${DEB_GZIP_LEVEL:-9}" --root-owner-group --build "$stage" "$deb" >&2
echo "$deb"
