#!/usr/bin/env bash
# A single-host Grid Engine (Debian's gridengine 8.1.9: sge_qmaster + sge_execd, queue all.q, parallel
# environment smp) on this machine, without systemd, for the Grid Engine provider integration tests.
# Idempotent: when all.q on this host is up, it does nothing. Needs root + apt; otherwise the Grid
# Engine tests skip themselves.
#   FX_NO_GRIDENGINE=1   skip entirely
# Stop it with scripts/setup-test-env.d/gridengine-teardown (by PID file, never by name).
set -uo pipefail
[ -n "${FX_NO_GRIDENGINE:-}" ] && exit 0
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
NODE=$(hostname)
C=$SGE_ROOT/$SGE_CELL/common

ge_ready() { timeout 20 qstat -f 2>/dev/null | grep -E "^all\.q@$NODE " | awk '{print $6}' | grep -qv .; }
if command -v qstat >/dev/null && [ -f "$C/act_qmaster" ] && ge_ready; then exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup(gridengine): not root or no apt-get: Grid Engine tests will skip" >&2; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! [ -x /usr/lib/gridengine/sge_qmaster ] || ! command -v qsub >/dev/null; then
  echo "setup(gridengine): apt-get install gridengine-master gridengine-exec gridengine-client"
  echo "gridengine-common shared/gridenginemaster string $NODE" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends gridengine-master gridengine-exec gridengine-client >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends gridengine-master gridengine-exec gridengine-client >/dev/null || { echo "setup(gridengine): install failed" >&2; exit 1; }
  }
fi

# Grid Engine insists that a client's address resolves back to the name it calls itself.
getent hosts "$NODE" >/dev/null || echo "127.0.0.1 $NODE" >> /etc/hosts
echo "$NODE" > "$C/act_qmaster"
echo "$NODE localhost" > "$C/host_aliases"

# alive = the PID file's process exists and is not a zombie
pidfile_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && ! grep -q ') Z ' "/proc/$(cat "$1")/stat" 2>/dev/null; }
QPID=/var/spool/gridengine/qmaster/qmaster.pid
pidfile_alive "$QPID" || /etc/init.d/gridengine-master start >/dev/null 2>&1 || /usr/lib/gridengine/sge_qmaster
for _ in $(seq 60); do timeout 10 qconf -sh >/dev/null 2>&1 && break; sleep 0.5; done
timeout 10 qconf -sh >/dev/null 2>&1 || { echo "setup(gridengine): qmaster does not answer" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fx-ge-setup.XXXX")
trap 'rm -rf "$work"' EXIT
timeout 20 qconf -as "$NODE" >/dev/null 2>&1 || true
timeout 20 qconf -ah "$NODE" >/dev/null 2>&1 || true
# root may submit (tests run as root); accounting flushed every second so finished jobs show up soon.
mkdir -p "$work/cfg"
timeout 20 qconf -sconf global > "$work/cfg/global"
sed -i -E -e 's/^(min_uid|min_gid)[[:space:]].*/\1 0/' -e 's/flush_time=[0-9:]+/flush_time=00:00:01/' "$work/cfg/global"
timeout 20 qconf -Mconf "$work/cfg/global" >/dev/null 2>&1
if ! timeout 20 qconf -spl 2>/dev/null | grep -qx smp; then
  printf '%s\n' "pe_name smp" "slots 999" "user_lists NONE" "xuser_lists NONE" "start_proc_args NONE" "stop_proc_args NONE" \
    'allocation_rule $pe_slots' "control_slaves FALSE" "job_is_first_task TRUE" "urgency_slots min" "accounting_summary FALSE" "qsort_args NONE" > "$work/smp"
  timeout 20 qconf -Ap "$work/smp" >/dev/null 2>&1
fi
if ! timeout 20 qconf -sql 2>/dev/null | grep -qx all.q; then
  {
    echo "qname all.q"; echo "hostlist $NODE"; echo "seq_no 0"; echo "load_thresholds NONE"; echo "suspend_thresholds NONE"
    echo "nsuspend 1"; echo "suspend_interval 00:05:00"; echo "priority 0"; echo "min_cpu_interval 00:05:00"
    echo "processors UNDEFINED"; echo "qtype BATCH INTERACTIVE"; echo "ckpt_list NONE"; echo "pe_list smp"; echo "rerun FALSE"
    echo "slots ${FX_GE_SLOTS:-8}"; echo "tmpdir /tmp"; echo "shell /bin/bash"; echo "prolog NONE"; echo "epilog NONE"
    echo "shell_start_mode unix_behavior"; echo "starter_method NONE"; echo "suspend_method NONE"; echo "resume_method NONE"
    echo "terminate_method NONE"; echo "notify 00:00:60"; echo "owner_list NONE"; echo "user_lists NONE"; echo "xuser_lists NONE"
    echo "subordinate_list NONE"; echo "complex_values NONE"; echo "projects NONE"; echo "xprojects NONE"; echo "calendar NONE"
    echo "initial_state default"
    for l in s_rt h_rt s_cpu h_cpu s_fsize h_fsize s_data h_data s_stack h_stack s_core h_core s_rss h_rss s_vmem h_vmem; do echo "$l INFINITY"; done
  } > "$work/all.q"
  timeout 20 qconf -Aq "$work/all.q" >/dev/null 2>&1
fi

# execd reads the global configuration at start: (re)start it after the change above.
for EPID in /run/gridengine/execd.pid /var/spool/gridengine/execd/*/execd.pid; do
  pidfile_alive "$EPID" || continue
  p=$(cat "$EPID"); kill "$p"; for _ in $(seq 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
done
/etc/init.d/gridengine-exec start >/dev/null 2>&1 || /usr/lib/gridengine/sge_execd
for _ in $(seq 120); do
  timeout 10 qmod -c "all.q@$NODE" >/dev/null 2>&1   # clear an error state left by earlier failures
  ge_ready && { echo "setup(gridengine): Grid Engine up (all.q@$NODE)"; exit 0; }
  sleep 0.5
done
echo "setup(gridengine): all.q@$NODE did not come up; see /var/spool/gridengine/*/messages" >&2
exit 1
