#!/usr/bin/env bash
# Slurm's Torque/PBS compatibility commands (Debian's slurm-wlm-torque: qsub, qstat, qdel, … as Perl
# wrappers over the Slurm API) for test/integration/providers/pbs-slurm-wrappers.test.ts. They drive the
# real single-node Slurm that slurm.sh starts (setup-test-env runs this script before slurm.sh, so it only
# installs; the test skips itself while Slurm is down) and print Torque-format output. Not a pbs_server.
#
# slurm-wlm-torque declares Conflicts: gridengine-client (both own /usr/bin/qsub), and the project also
# installs Grid Engine for its own tests. So the package is not installed: its dependencies are, and the
# .deb is unpacked into $FX_PBS_WRAPPERS (default /opt/fx-slurm-torque); bin/ there holds the wrappers
# plus links to Slurm's sbatch/salloc (qsub runs the sbatch next to itself). Idempotent.
#   FX_NO_PBS_WRAPPERS=1   skip entirely
set -uo pipefail
[ -n "${FX_NO_PBS_WRAPPERS:-}" ] && exit 0
D=${FX_PBS_WRAPPERS:-/opt/fx-slurm-torque}

wrappers_ready() { [ -x "$D/bin/qsub" ] && [ -x "$D/bin/qstat" ] && [ -x "$D/bin/qdel" ] && [ -e "$D/bin/sbatch" ] && perl -MSlurm -e 1 2>/dev/null; }
if wrappers_ready; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup(pbs-wrappers): not root or no apt-get: the PBS-over-Slurm tests will skip" >&2; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
DEPS="slurm-client libslurm-perl libslurmdb-perl libswitch-perl"
if ! command -v sbatch >/dev/null || ! perl -MSlurm -MSlurmdb -MSwitch -e 1 2>/dev/null; then
  echo "setup(pbs-wrappers): apt-get install $DEPS"
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $DEPS >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends $DEPS >/dev/null || { echo "setup(pbs-wrappers): install failed" >&2; exit 1; }
  }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fx-pbs-wrappers.XXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes into the current directory; _apt must be able to write there.
chmod 0777 "$tmp"
( cd "$tmp" && apt-get download -qq slurm-wlm-torque >/dev/null 2>&1 ) || {
  apt-get update -qq >/dev/null 2>&1 || true
  ( cd "$tmp" && apt-get download -qq slurm-wlm-torque >/dev/null ) || { echo "setup(pbs-wrappers): apt-get download slurm-wlm-torque failed" >&2; exit 1; }
}
dpkg-deb -x "$tmp"/slurm-wlm-torque_*.deb "$tmp/x" || { echo "setup(pbs-wrappers): cannot unpack the .deb" >&2; exit 1; }
rm -rf "$D"; mkdir -p "$D/bin"
for c in qsub qstat qdel qalter qhold qrls pbsnodes; do install -m 0755 "$tmp/x/usr/bin/$c" "$D/bin/$c"; done
for c in sbatch salloc srun; do ln -sf "$(command -v "$c")" "$D/bin/$c"; done
dpkg-deb -f "$tmp"/slurm-wlm-torque_*.deb Version > "$D/VERSION"
if wrappers_ready; then echo "setup(pbs-wrappers): Slurm's Torque wrappers $(cat "$D/VERSION") in $D/bin"; exit 0; fi
echo "setup(pbs-wrappers): wrappers unpacked but not usable (perl -MSlurm fails?)" >&2
exit 1
