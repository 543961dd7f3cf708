#!/usr/bin/env bash
# Container runtime for the container tests: rootful podman (runc, cgroupfs) and the test images
# localhost/fx-test-a, localhost/fx-test-b (glibc userland) and localhost/fx-test-noglibc (busybox only).
# Idempotent: installs only what is missing, rebuilds an image only when its recipe changed.
# Skips (exit 0 with a note) when not root or without apt: the container tests then skip themselves.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup(podman): not root or no apt-get: container tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then
  echo "setup(podman): apt-get install podman runc busybox-static"
  apt-get install -y -qq --no-install-recommends podman runc busybox-static >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends podman runc busybox-static >/dev/null || {
      echo "setup(podman): apt-get install failed" >&2; exit 1; }
  }
fi
# This sandbox (and CI boxes like it) has no systemd, a hybrid cgroup layout and no CAP_SYS_RESOURCE:
# podman's default rlimits can't be set there, crun refuses the layout, journald is absent.
CONF=/etc/containers/containers.conf
if ! grep -q 'fx-test-env' "$CONF" 2>/dev/null; then
  mkdir -p /etc/containers
  NOFILE=$(ulimit -Hn)
  [ -f "$CONF" ] && cp "$CONF" "$CONF.before-fx"
  cat > "$CONF" <<CONFEOF
# written by fx scripts/setup-test-env.d/podman.sh (fx-test-env)
[containers]
default_ulimits = ["nofile=$NOFILE:$NOFILE", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONFEOF
fi
exec bash "$HERE/../images/build-test-images.sh" podman
