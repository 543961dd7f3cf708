#!/usr/bin/env bash
# Optional: apptainer (which also answers to `singularity`) for the apptainer container tests.
# Debian bookworm has no apptainer package; sid has one that needs a newer glibc (>= 2.38) than bookworm's
# 2.36. So, as root: unpack sid's apptainer .deb into / (not dpkg -i: apt would see unmet dependencies) and
# point its two ELF binaries at a private copy of trixie's glibc under /opt/apptainer-glibc. Only the
# Debian mirror apt already uses is contacted, through a private apt state dir (the system's apt sources and
# dpkg state are left alone). Idempotent; any failure just leaves the apptainer tests skipping.
#   FX_SKIP_APPTAINER=1  don't try
set -uo pipefail
[ -n "${FX_SKIP_APPTAINER:-}" ] && exit 0
if command -v apptainer >/dev/null && apptainer --version >/dev/null 2>&1 && [ -x /bin/busybox ]; then
  exec bash "$(dirname "$0")/../images/build-test-images.sh" rootfs
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup(apptainer): not root or no apt-get: apptainer tests will be skipped" >&2; exit 0
fi
fail() { echo "setup(apptainer): $* — apptainer tests will be skipped" >&2; exit 0; }
set -e
export DEBIAN_FRONTEND=noninteractive
W=${FX_APPTAINER_WORK:-/var/cache/fx-apptainer}; G=/opt/apptainer-glibc
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
echo "setup(apptainer): installing apptainer (sid) with a private glibc (trixie)"
HELPERS=(patchelf squashfs-tools e2fsprogs libseccomp2 libsqlite3-0 ca-certificates busybox-static)
apt-get install -y -qq --no-install-recommends "${HELPERS[@]}" >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq --no-install-recommends "${HELPERS[@]}" >/dev/null; } \
  || fail "apt-get install of helpers failed"
mkdir -p "$W/lists/partial" "$W/cache/archives/partial" "$W/deb"
MIRROR=$(grep -hEo 'https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -1 || true)
if [ -z "$MIRROR" ]; then
  MIRROR=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}
printf 'deb %s trixie main\ndeb %s sid main\n' "$MIRROR" "$MIRROR" > "$W/sources.list"
O=(-o "Dir::Etc::sourcelist=$W/sources.list" -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$W/lists"
   -o "Dir::Cache=$W/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1)
apt-get "${O[@]}" update -qq >/dev/null 2>&1 || fail "apt-get update of trixie/sid lists failed"
rm -f "$W"/deb/*.deb
(cd "$W/deb" && apt-get "${O[@]}" download apptainer/sid libc6/trixie >/dev/null 2>&1) || fail "download of apptainer/libc6 failed"
dpkg-deb -x "$W"/deb/apptainer_*.deb /
rm -rf "$G"; mkdir -p "$G" && dpkg-deb -x "$W"/deb/libc6_*.deb "$G"
for f in /usr/bin/apptainer "/usr/lib/$MULTIARCH/apptainer/bin/starter"; do
  [ -f "$f" ] || continue
  patchelf --set-interpreter "$G/usr/lib/$MULTIARCH/ld-linux-x86-64.so.2" \
           --force-rpath --set-rpath "$G/usr/lib/$MULTIARCH:/usr/lib/$MULTIARCH" "$f"
done
[ -e /usr/bin/singularity ] || ln -s apptainer /usr/bin/singularity
# without CAP_SYS_RESOURCE (containers, CI sandboxes) 'full' capabilities make starter fail
sed -i 's/^root default capabilities = full/root default capabilities = file/' /etc/apptainer/apptainer.conf
apptainer --version >/dev/null 2>&1 || fail "the installed apptainer does not run"
exec bash "$(dirname "$0")/../images/build-test-images.sh" rootfs
