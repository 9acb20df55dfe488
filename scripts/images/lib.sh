# Shared helpers for the offline image builders (sourced, not executed).
# Images are assembled as a root filesystem in a staging directory and turned into an image with
# `docker import` (no base image: there is no registry to pull one from).

CACHE_DIR="${OPENCLAW_CLOUD_CACHE:-/var/cache/openclaw-cloud}"
# Legacy builder: no buildx plugin is installed here and it needs none for FROM scratch + COPY.
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"

_step_start=$(date +%s)
step () { printf '==> [%4ss] %s\n' "$(( $(date +%s) - _step_start ))" "$*" >&2; }
die () { printf 'error: %s\n' "$*" >&2; exit 1; }

need () {
  local cmd
  for cmd in "$@"; do command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH"; done
}

image_exists () { docker image inspect "$1" >/dev/null 2>&1; }

# copy_with_libs ROOTFS BINARY [DEST]: copies BINARY to ROOTFS/DEST (default: same path) plus
# every shared library `ldd` lists for it, at the same paths, and the dynamic loader.
copy_with_libs () {
  local rootfs=$1 bin=$2 dest=${3:-$2} lib
  install -D -m 0755 "$bin" "$rootfs$dest"
  while read -r lib; do
    [ -n "$lib" ] || continue
    copy_file "$rootfs" "$lib"
  done < <(ldd "$bin" | awk '/=> \//{print $3} /^\s*\/[^ ]+/{print $1}')
}

# copy_file ROOTFS PATH: copies PATH into ROOTFS at the same path, reproducing each symlink on
# the way (libfoo.so.6 -> libfoo.so.6.0.32) so the loader finds the names it asks for.
copy_file () {
  local rootfs=$1 path=$2 dir target hops=0
  while [ $hops -lt 16 ]; do
    hops=$((hops + 1))
    dir=$(cd "$(dirname "$path")" && pwd -P)
    path="$dir/$(basename "$path")"
    mkdir -p "$rootfs$dir"
    if [ -L "$path" ]; then
      [ -e "$rootfs$path" ] || [ -L "$rootfs$path" ] || cp -P "$path" "$rootfs$path"
      target=$(readlink "$path")
      case $target in /*) path=$target ;; *) path="$dir/$target" ;; esac
    else
      [ -e "$rootfs$path" ] || cp -p "$path" "$rootfs$path"
      return 0
    fi
  done
  die "too many symlinks resolving $2"
}

# base_rootfs ROOTFS: users, groups, home, /tmp and CA certificates for a non-root node runtime.
base_rootfs () {
  local rootfs=$1
  local d
  mkdir -p "$rootfs"/{etc,tmp,home/node,usr/local/bin,var/tmp,etc/ssl/certs,dev,proc,sys}
  # Merged-/usr hosts: /lib -> usr/lib etc. Mirror those links so library paths resolve alike.
  for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ] && [ ! -e "$rootfs/$d" ]; then ln -s "$(readlink "/$d")" "$rootfs/$d"; fi
  done
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  cat > "$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
node:x:1000:1000:node:/home/node:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
  cat > "$rootfs/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  else
    echo "warning: /etc/ssl/certs/ca-certificates.crt missing on the host; image has no CA bundle" >&2
  fi
  chown -R 1000:1000 "$rootfs/home/node"
}

# human_size BYTES
human_size () { numfmt --to=iec --suffix=B "$1" 2>/dev/null || echo "${1}B"; }

# image_from_rootfs TAG ROOTFS DOCKERFILE: makes image TAG whose filesystem is exactly ROOTFS
# (one layer, ownership and modes as staged: `COPY` would reset every owner to root) and whose
# metadata (ENV, USER, CMD, HEALTHCHECK...) are the instructions in DOCKERFILE, which must not
# contain FROM. `docker import` streams the tree straight into a layer; a FROM-that build with an
# empty context then adds the metadata. The builder's output is shown only when it fails.
image_from_rootfs () {
  local tag=$1 rootfs=$2 dockerfile=$3 base ctx log
  base="openclaw-cloud/rootfs:$(printf '%s' "$tag" | tr -c 'a-zA-Z0-9_.-' '-')"
  tar --numeric-owner -C "$rootfs" -cf - . | docker import - "$base" >/dev/null \
    || die "docker import of $rootfs failed"
  ctx=$(mktemp -d)
  { printf 'FROM %s\n' "$base"; cat "$dockerfile"; } > "$ctx/Dockerfile"
  log=$(mktemp)
  if ! docker build --quiet --tag "$tag" "$ctx" >"$log" 2>&1; then
    cat "$log" >&2; rm -rf "$log" "$ctx"; die "docker build $tag failed"
  fi
  rm -rf "$log" "$ctx"
  # Untag the intermediate: the final image keeps its layer.
  docker image rm "$base" >/dev/null 2>&1 || true
}
