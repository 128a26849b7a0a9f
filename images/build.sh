#!/usr/bin/env bash
# Builds the static binaries and the container images; nothing is pulled:
#   shoal/scratch        cluster-init + static shoal, FROM scratch
#   shoal/busybox-base   Debian's busybox-static and its applet links, FROM scratch
#   shoal/busybox        the busybox base + cluster-init + shoal
#   shoal/serf           the busybox base + Debian's serf (with its glibc) + cluster-init
# Environment: SHOAL_BUILD_DIR (default build-static: a release, static, LTO meson build, set up
# when missing), SHOAL_IMAGE_TAG (default latest), JOBS (ninja jobs, default nproc).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${SHOAL_BUILD_DIR:-$root/build-static}
tag=${SHOAL_IMAGE_TAG:-latest}
busybox=/bin/busybox
serf=/usr/bin/serf

die() { echo "images/build.sh: $*" >&2; exit 1; }
command -v docker >/dev/null || die "docker is not installed"
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 ||
  die "$busybox is not a static busybox: apt-get install busybox-static (scripts/install-deps)"

if [ ! -d "$build_dir" ]; then
  meson setup "$build_dir" "$root" -Dbuildtype=release -Dstatic=true -Db_lto=true >/dev/null
fi
ninja -C "$build_dir" -j "${JOBS:-$(nproc)}" src/shoal entrypoint/cluster-init >/dev/null
shoal=$build_dir/src/shoal
init=$build_dir/entrypoint/cluster-init
for bin in "$shoal" "$init"; do
  ! ldd "$bin" >/dev/null 2>&1 ||
    die "$bin is dynamically linked: set up $build_dir with -Dstatic=true"
done

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
strip -o "$ctx/shoal" "$shoal"
cp "$init" "$ctx/cluster-init"

# The busybox root: the binary, a link per applet (bin/sh, usr/bin/awk, ...), /tmp and root's
# passwd entry.
rootfs=$ctx/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root"
install -d -m 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
"$busybox" --list-full | while read -r applet; do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$rootfs/$(dirname "$applet")"
  ln -s /bin/busybox "$rootfs/$applet"
done
printf '%s\n' root:x:0:0:root:/root:/bin/sh nobody:x:65534:65534:nobody:/:/bin/false \
  >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

# Debian's serf links glibc dynamically: copy it with every library ldd names, at the same paths.
if [ -x "$serf" ]; then
  mkdir -p "$ctx/serf-root/usr/bin"
  cp "$serf" "$ctx/serf-root/usr/bin/serf"
  ldd "$serf" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$ctx/serf-root$(dirname "$lib")"
    cp -L "$lib" "$ctx/serf-root$lib"
  done
fi

image() {  # name, Dockerfile, build args...
  local name=$1 file=$2
  shift 2
  # The classic builder: BuildKit needs the buildx plugin, which Debian's docker.io lacks.
  local out
  out=$(DOCKER_BUILDKIT=0 docker build -q -t "$name:$tag" -f "$root/images/$file" "$@" "$ctx" \
    2>&1) ||
    die "building $name:$tag failed:"$'\n'"$out"
  echo "built $name:$tag"
}
image shoal/scratch scratch.Dockerfile
image shoal/busybox-base busybox-base.Dockerfile
image shoal/busybox busybox.Dockerfile --build-arg "BASE=shoal/busybox-base:$tag"
if [ -x "$serf" ]; then
  image shoal/serf serf.Dockerfile --build-arg "BASE=shoal/busybox-base:$tag"
else
  echo "images/build.sh: no $serf (Debian package serf): shoal/serf not built" >&2
fi
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep "^shoal/.*:$tag\b" | sort
