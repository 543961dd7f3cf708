#!/usr/bin/env bash
# A personal single-node HTCondor (collector, negotiator, schedd, startd; Debian trixie's `condor` 23.9)
# for the HTCondor provider integration and e2e tests. Bookworm has no HTCondor and trixie's needs
# trixie's glibc, so it lives in a minimal trixie root made by debootstrap (only the Debian mirror apt
# already uses is contacted; the system's apt state is left alone), with /proc, /dev and /tmp
# bind-mounted at the same paths (jobs see the tests' temp dirs, where the tests put the fx they run).
# Commands reach it through wrappers (condor_submit, condor_q, condor_history, condor_rm, condor_status,
# condor_version) in /usr/local/bin that chroot into it.
# HTCondor refuses jobs from root: root's commands run as the pool's job user `fx-condor` (same uid in
# both roots), so a test gives that user the directories its jobs write to.
# Everything listens on 127.0.0.1 only. Idempotent: when the pool answers with a slot, it does nothing.
# Needs root, apt and mount; otherwise the HTCondor tests skip themselves.
#   FX_NO_CONDOR=1     skip entirely
#   FX_CONDOR_ROOT     where the trixie root goes (default /opt/fx-condor-root)
# Stop it with scripts/setup-test-env.d/condor-teardown (by PID file, never by name).
set -uo pipefail
[ -n "${FX_NO_CONDOR:-}" ] && exit 0
R=${FX_CONDOR_ROOT:-/opt/fx-condor-root}
WRAP=/opt/fx-condor/bin
CMDS=(condor_submit condor_q condor_history condor_rm condor_status condor_version)
JOB_USER=fx-condor

mounts=(/proc /dev /tmp)
mounted() { for d in "${mounts[@]}"; do mountpoint -q "$R$d" || return 1; done; }
condor_ready() {
  mounted && command -v condor_status >/dev/null \
    && timeout 20 condor_status -af Name 2>/dev/null | grep -q '^slot'
}
if condor_ready; then exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup(condor): not root or no apt-get: HTCondor tests will skip" >&2; exit 0
fi
fail() { echo "setup(condor): $* — HTCondor tests will skip" >&2; exit 0; }
export DEBIAN_FRONTEND=noninteractive
# never delete a root that still has host directories mounted into it
has_mounts() { awk -v r="$R/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/mounts; }

# --- the trixie root with condor ------------------------------------------
if ! [ -x "$R/usr/sbin/condor_master" ]; then
  started=$(date +%s)
  echo "setup(condor): debootstrap trixie into $R and install condor (a minute or two)"
  command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1
  } || fail "apt-get install debootstrap failed"
  if ! [ -x "$R/usr/bin/apt-get" ]; then
    has_mounts && fail "$R is half made but has mounts; run condor-teardown first"
    rm -rf "$R"
    MIRROR=$(grep -hEo 'https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -1 || true)
    if [ -z "$MIRROR" ]; then
      MIRROR=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
    fi
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
    debootstrap --variant=minbase trixie "$R" "$MIRROR" > /tmp/fx-condor-debootstrap.log 2>&1 \
      || fail "debootstrap failed (see /tmp/fx-condor-debootstrap.log)"
  fi
  printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"   # start no services
  chroot "$R" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends condor' > /tmp/fx-condor-install.log 2>&1 \
    || fail "apt-get install condor in $R failed (see /tmp/fx-condor-install.log)"
  echo "setup(condor): trixie root with condor ready in $(( $(date +%s) - started )) s"
fi

# --- the job user, the same uid/gid on the host and in the root -------------
getent passwd "$JOB_USER" >/dev/null \
  || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$JOB_USER" \
  || fail "useradd $JOB_USER failed"
U=$(id -u "$JOB_USER"); G=$(id -g "$JOB_USER")
if [ "$(chroot "$R" id -u "$JOB_USER" 2>/dev/null):$(chroot "$R" id -g "$JOB_USER" 2>/dev/null)" != "$U:$G" ]; then
  chroot "$R" userdel "$JOB_USER" >/dev/null 2>&1; chroot "$R" groupdel "$JOB_USER" >/dev/null 2>&1   # made for another uid
  chroot "$R" groupadd -o -g "$G" "$JOB_USER" || fail "groupadd in $R failed"
  chroot "$R" useradd -o -u "$U" -g "$G" -M -d /nonexistent -s /usr/sbin/nologin "$JOB_USER" 2>/dev/null || fail "useradd in $R failed"
fi
cp /etc/hosts "$R/etc/hosts"

# --- configuration: a personal pool on 127.0.0.1 with fast cycles ----------
cat > "$R/etc/condor/condor_config.local" <<'EOF'
# fx test pool (scripts/setup-test-env.d/condor.sh): collector, negotiator, schedd and startd on 127.0.0.1 only.
use ROLE : Personal
CONDOR_HOST = 127.0.0.1
NETWORK_INTERFACE = 127.0.0.1
BIND_ALL_INTERFACES = False
ENABLE_IPV6 = False
USE_SHARED_PORT = False
UID_DOMAIN = fx-condor-test
TRUST_UID_DOMAIN = True
SOFT_UID_DOMAIN = True
# Loopback only: any local connection may do anything; FS authentication says which user a tool runs as.
SEC_DEFAULT_AUTHENTICATION = OPTIONAL
SEC_DEFAULT_AUTHENTICATION_METHODS = FS
SEC_CLIENT_AUTHENTICATION_METHODS = FS
SEC_DEFAULT_ENCRYPTION = OPTIONAL
SEC_DEFAULT_INTEGRITY = OPTIONAL
ALLOW_READ = *
ALLOW_WRITE = *
ALLOW_ADMINISTRATOR = *
ALLOW_DAEMON = *
ALLOW_NEGOTIATOR = *
ALLOW_CONFIG = root@*
# Fast cycles, so tests see state changes within seconds (periodic_remove is checked every 2 s).
NEGOTIATOR_INTERVAL = 2
NEGOTIATOR_CYCLE_DELAY = 1
SCHEDD_INTERVAL = 2
PERIODIC_EXPR_INTERVAL = 2
STARTER_UPDATE_INTERVAL = 2
UPDATE_INTERVAL = 5
JOB_START_DELAY = 0
# Run whatever is submitted; never suspend or preempt.
START = True
SUSPEND = False
PREEMPT = False
KILL = False
WANT_SUSPEND = False
NUM_CPUS = 8
MEMORY = 4096
use FEATURE : PartitionableSlot
# A chroot: no cgroups, namespaces or private /tmp for jobs.
BASE_CGROUP =
CGROUP_MEMORY_LIMIT_POLICY = none
USE_PID_NAMESPACES = False
MOUNT_UNDER_SCRATCH =
DISCARD_SESSION_KEYRING_ON_STARTUP = False
EOF

# --- mounts, daemons --------------------------------------------------------
for d in "${mounts[@]}"; do
  mkdir -p "$R$d"
  mountpoint -q "$R$d" || mount --bind "$d" "$R$d" || fail "mount --bind $d $R$d failed"
done
chroot "$R" sh -c 'for d in /run/condor /var/log/condor /var/lock/condor /var/spool/condor /var/lib/condor/execute; do
  mkdir -p $d && chown condor:condor $d; done' || fail "creating HTCondor's directories failed"
PIDF=$R/run/condor/master.pid
alive() { [ -s "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null && ! grep -q ') Z ' "/proc/$(cat "$PIDF")/stat" 2>/dev/null; }
if alive; then
  chroot "$R" condor_reconfig >/dev/null 2>&1
else
  # the daemons must not keep the caller's pipes (a CI log reader would wait for them): close all but 0-2
  ( for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null; done
    exec chroot "$R" condor_master -pidfile /run/condor/master.pid </dev/null >/dev/null 2>&1 ) \
    || fail "condor_master did not start (see $R/var/log/condor/MasterLog)"
fi

# --- wrappers on PATH -------------------------------------------------------
mkdir -p "$WRAP"
cat > "$WRAP/condor-wrapper" <<EOF
#!/bin/sh
# Runs the HTCondor command this file is called as inside the fx test pool's root (scripts/setup-test-env.d/condor.sh).
# HTCondor refuses jobs from root: root's calls run as $JOB_USER. The working directory is kept.
spec=
[ "\$(id -u)" = 0 ] && spec=--userspec=$U:$G
exec chroot \$spec "$R" /bin/sh -c 'cd "\$1" 2>/dev/null || cd /; shift; exec "\$@"' condor "\$PWD" "\$(basename "\$0")" "\$@"
EOF
chmod 755 "$WRAP/condor-wrapper"
for c in "${CMDS[@]}"; do ln -sfn condor-wrapper "$WRAP/$c"; ln -sfn "$WRAP/$c" "/usr/local/bin/$c"; done
hash -r

for _ in $(seq 120); do
  condor_ready && { echo "setup(condor): HTCondor $(condor_version | head -1 | awk '{print $2}') up (personal pool on 127.0.0.1)"; exit 0; }
  sleep 0.5
done
fail "the pool shows no slot after 60 s (see $R/var/log/condor/)"
