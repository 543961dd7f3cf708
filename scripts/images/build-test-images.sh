#!/usr/bin/env bash
# Builds the container test images from local root filesystems, offline and in seconds:
#   fx-test-a, fx-test-b  the host's glibc (ld-linux, libc, libm, libpthread, libdl) + dash + a few
#                         coreutils; /etc/fx-image holds "a" / "b", /etc/os-release names the image.
#   fx-test-noglibc       busybox-static only: no ELF interpreter, so a glibc binary can't start there.
#   fx-test-glibc231      Debian bullseye's libc6 (glibc 2.31) + busybox: an older glibc than the host's
#                         (downloads one .deb from the Debian mirror once; skipped when unreachable).
# The root filesystems stay under $FX_IMAGE_CACHE (default /var/cache/fx-test-images; apptainer can run
# them as sandbox directories). An image is rebuilt only when this recipe or the host's glibc changed.
#   usage: build-test-images.sh podman    (imports into podman as localhost/fx-test-*:latest)
#          build-test-images.sh rootfs    (only the directories)
set -euo pipefail
MODE=${1:-podman}
CACHE=${FX_IMAGE_CACHE:-/var/cache/fx-test-images}
SELF="${BASH_SOURCE[0]}"
RECIPE=$( { cat "$SELF"; ldd --version 2>&1 | sed -n 1p; } | sha256sum | cut -c1-16)
mkdir -p "$CACHE"

GLIBC_TOOLS=(sh dash cat ls env true false sleep echo id uname head tail wc tr mkdir rm grep cut date ps kill readlink)
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

skeleton() { # dir
  local r=$1
  mkdir -p "$r"/{usr/bin,usr/lib/"$MULTIARCH",usr/lib64,etc,proc,sys,dev,tmp,root,opt/fx,run,var/tmp,work}
  ln -sfn usr/bin "$r/bin"; ln -sfn usr/bin "$r/sbin"; ln -sfn usr/lib "$r/lib"; ln -sfn usr/lib64 "$r/lib64"
  chmod 1777 "$r/tmp" "$r/var/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >> "$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
  : > "$r/etc/hosts"; : > "$r/etc/resolv.conf"
}

copy_with_libs() { # rootfs binary…
  local r=$1; shift
  local f lib
  for f in "$@"; do
    cp -L "$f" "$r/usr/bin/$(basename "$f")"
    for lib in $(ldd "$f" | grep -Eo '/[^ ]+' | sort -u); do
      local real; real=$(readlink -f "$lib")
      local dest="$r/usr/lib/$MULTIARCH/$(basename "$lib")"
      [ -e "$dest" ] || cp -L "$real" "$dest"
    done
  done
}

build_glibc_rootfs() { # name letter
  local name=$1 letter=$2 r="$CACHE/rootfs-$1"
  rm -rf "$r.tmp"; skeleton "$r.tmp"
  local bins=() t
  for t in "${GLIBC_TOOLS[@]}"; do bins+=("$(type -P "$t")"); done
  copy_with_libs "$r.tmp" "${bins[@]}"
  # what a glibc program (the fx binary) needs besides libc: the interpreter at its ABI path, libm, libpthread, libdl
  local l
  for l in libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libgcc_s.so.1; do
    [ -e "/usr/lib/$MULTIARCH/$l" ] && cp -L "/usr/lib/$MULTIARCH/$l" "$r.tmp/usr/lib/$MULTIARCH/$l"
  done
  ln -sfn "../lib/$MULTIARCH/ld-linux-x86-64.so.2" "$r.tmp/usr/lib64/ld-linux-x86-64.so.2"
  echo "$letter" > "$r.tmp/etc/fx-image"
  printf 'PRETTY_NAME="fx test image %s (host glibc)"\nNAME="fx-test"\nID=fx-test-%s\nVERSION_ID="%s"\n' \
    "$letter" "$letter" "$letter" > "$r.tmp/etc/os-release"
  rm -rf "$r"; mv "$r.tmp" "$r"
}

build_noglibc_rootfs() { # name
  local r="$CACHE/rootfs-$1"
  rm -rf "$r.tmp"; mkdir -p "$r.tmp"/{bin,etc,proc,sys,dev,tmp,root,opt/fx,run,work,var/tmp}
  chmod 1777 "$r.tmp/tmp" "$r.tmp/var/tmp"
  cp /bin/busybox "$r.tmp/bin/busybox"
  local a
  for a in $("$r.tmp/bin/busybox" --list); do [ -e "$r.tmp/bin/$a" ] || ln -s busybox "$r.tmp/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r.tmp/etc/passwd"; echo 'root:x:0:' > "$r.tmp/etc/group"
  echo noglibc > "$r.tmp/etc/fx-image"
  printf 'PRETTY_NAME="fx test image without glibc (busybox-static)"\nID=fx-test-noglibc\n' > "$r.tmp/etc/os-release"
  rm -rf "$r"; mv "$r.tmp" "$r"
}

# Debian bullseye's libc6 (glibc 2.31) + busybox sh: proves fx runs on an older glibc than the host's.
# Needs the Debian mirror once (the .deb is cached under $CACHE/debs); without it the image is just skipped.
build_oldglibc_rootfs() { # name
  local r="$CACHE/rootfs-$1" debs=("$CACHE"/debs/libc6_2.31-*_amd64.deb)
  if [ ! -f "${debs[0]}" ]; then
    local w="$CACHE/apt-bullseye" mirror
    mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | awk 'NR==1 {print $2}' || true)
    [ -n "$mirror" ] || mirror=$(grep -hEo 'https?://[^ ]+' /etc/apt/sources.list 2>/dev/null | grep -v security | awk 'NR==1' || true)
    mkdir -p "$w/lists/partial" "$w/cache/archives/partial" "$CACHE/debs"
    printf 'deb %s bullseye main\n' "${mirror:-http://deb.debian.org/debian}" > "$w/sources.list"
    local o=(-o "Dir::Etc::sourcelist=$w/sources.list" -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$w/lists"
             -o "Dir::Cache=$w/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1)
    { apt-get "${o[@]}" update -qq && (cd "$CACHE/debs" && apt-get "${o[@]}" download libc6/bullseye); } >/dev/null 2>&1 || return 1
    debs=("$CACHE"/debs/libc6_2.31-*_amd64.deb)
    [ -f "${debs[0]}" ] || return 1
  fi
  rm -rf "$r.tmp"; mkdir -p "$r.tmp"/{bin,etc,proc,sys,dev,tmp,root,opt/fx,run,var/tmp}
  chmod 1777 "$r.tmp/tmp" "$r.tmp/var/tmp"
  dpkg-deb -x "${debs[0]}" "$r.tmp"
  cp /bin/busybox "$r.tmp/bin/busybox"
  local a
  for a in sh cat ls readlink; do ln -s busybox "$r.tmp/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r.tmp/etc/passwd"; echo 'root:x:0:' > "$r.tmp/etc/group"
  echo glibc231 > "$r.tmp/etc/fx-image"
  printf 'PRETTY_NAME="fx test image: Debian bullseye glibc 2.31"\nID=fx-test-glibc231\n' > "$r.tmp/etc/os-release"
  rm -rf "$r"; mv "$r.tmp" "$r"
}

ensure() { # name kind letter
  local name=$1 kind=$2 letter=${3:-} r="$CACHE/rootfs-$1"
  if [ "$(cat "$r/.fx-recipe" 2>/dev/null)" != "$RECIPE" ]; then
    echo "images: building rootfs $name"
    case "$kind" in
      glibc) build_glibc_rootfs "$name" "$letter" ;;
      oldglibc) build_oldglibc_rootfs "$name" || { echo "images: skipped $name (no Debian mirror?)"; return 0; } ;;
      *) build_noglibc_rootfs "$name" ;;
    esac
    echo "$RECIPE" > "$r/.fx-recipe"
  fi
  if [ "$MODE" = podman ]; then
    local ref="localhost/$name:latest" have=""
    have=$(podman image inspect --format '{{index .Labels "fx.recipe"}}' "$ref" 2>/dev/null || true)
    if [ "$have" != "$RECIPE" ]; then
      echo "images: importing $ref"
      local old; old=$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)
      tar -C "$r" --exclude=./.fx-recipe -c . | podman import -q --change "LABEL fx.recipe=$RECIPE" \
        --change 'CMD ["/bin/sh"]' - "$ref" >/dev/null
      [ -n "$old" ] && podman rmi "$old" >/dev/null 2>&1 || true   # the previous build, now untagged
    fi
  fi
}

ensure fx-test-a glibc a
ensure fx-test-b glibc b
ensure fx-test-noglibc busybox
[ -n "${FX_SKIP_OLD_GLIBC_IMAGE:-}" ] || ensure fx-test-glibc231 oldglibc
if [ "$MODE" = podman ]; then
  podman run --rm --network none localhost/fx-test-a:latest /bin/cat /etc/fx-image >/dev/null \
    || { echo "images: podman can't run localhost/fx-test-a" >&2; exit 1; }
fi
echo "images: ready ($CACHE)"
