#!/usr/bin/env bash
# A single-node Slurm cluster (slurmctld + slurmd + munge) on this machine, without systemd, for the
# provider integration and Slurm e2e tests. Idempotent: when slurmctld answers and the node is idle,
# it does nothing. Needs root + apt; otherwise it says so and the Slurm tests skip themselves.
#   FX_SLURM_STATE   state/log/pid directory (default ${TMPDIR:-/tmp}/fx-slurm)
#   FX_NO_SLURM=1    skip entirely
# Stop it with scripts/setup-test-env.d/slurm-teardown (by PID file, never by name).
set -uo pipefail
[ -n "${FX_NO_SLURM:-}" ] && exit 0
S=${FX_SLURM_STATE:-${TMPDIR:-/tmp}/fx-slurm}

slurm_ready() { sinfo -h -N -o '%t' 2>/dev/null | grep -Eqx 'idle|mix|alloc'; }
if command -v sinfo >/dev/null && slurm_ready; then exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  command -v sinfo >/dev/null || { echo "setup(slurm): not root or no apt-get: Slurm tests will skip" >&2; exit 0; }
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "setup(slurm): apt-get install slurm-wlm munge"
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null || { echo "setup(slurm): install failed" >&2; exit 1; }
  }
fi

# --- munge (auth between the Slurm daemons and commands) ----------------
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge            # no systemd-tmpfiles here
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged || { echo "setup(slurm): munged did not start" >&2; exit 1; }
fi
for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done

# --- slurm.conf: one node = this host, one partition "debug" ------------
# A previous run's daemons may be half up: stop them by PID file before rewriting the state.
bash "$(dirname "$0")/slurm-teardown" --slurm-only >/dev/null 2>&1 || true
rm -rf "$S"; mkdir -p "$S"/{ctld,d,log}
NODE=$(hostname -s)
getent hosts "$NODE" >/dev/null || echo "127.0.0.1 $NODE" >> /etc/hosts
# The node advertises FX_SLURM_CPUS (default 8) CPUs whatever the machine has (config_overrides), so
# tests can run several small blocks at once on a 2-core box; memory is what slurmd sees.
MEM=$(slurmd -C | head -1 | grep -o 'RealMemory=[0-9]*' || echo RealMemory=1000)
NODELINE="NodeName=$NODE CPUs=${FX_SLURM_CPUS:-8} $MEM"
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
# written by fx scripts/setup-test-env.d/slurm.sh (single-node test cluster)
ClusterName=fxci
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$S/ctld
SlurmdSpoolDir=$S/d
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ProctrackType=proctrack/linuxproc
SlurmdParameters=config_overrides
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
OverTimeLimit=0
$NODELINE State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# --- daemons (they daemonize and write their PID files) ----------------
/usr/sbin/slurmctld -c || { echo "setup(slurm): slurmctld failed; see $S/log/slurmctld.log" >&2; exit 1; }
/usr/sbin/slurmd || { echo "setup(slurm): slurmd failed; see $S/log/slurmd.log" >&2; exit 1; }
for _ in $(seq 150); do slurm_ready && break; sleep 0.2; done
if slurm_ready; then echo "setup(slurm): single-node Slurm up ($NODE, state in $S)"; exit 0; fi
echo "setup(slurm): Slurm did not become idle; see $S/log" >&2
exit 1
