#!/usr/bin/env bash
# Start a throw-away single-node SLURM on loopback (no systemd, no cgroups). Idempotent. Run as root.
# munged + slurmctld + slurmd [+ MariaDB + slurmdbd], PIDs recorded.
#
# What runs (all started with setsid in the foreground, PID recorded in $SLURM_DIR/<name>.pid, stdio detached):
#   munged     as user munge, default socket /run/munge/munge.socket.2 (an already answering munged is reused)
#   mariadbd   (accounting only) as user mysql, unix socket $SLURM_DIR/mysql/mysqld.sock only, no TCP
#   slurmdbd   (accounting only) 127.0.0.1:6819, talks to that MariaDB as root over the socket
#   slurmctld  127.0.0.1:6817, cluster "ci", partition "debug" (default)
#   slurmd     127.0.0.1:6818, node $(hostname -s) with the real topology/memory from `slurmd -C`
# Writes /etc/slurm/slurm.conf (and /etc/slurm/slurmdbd.conf, mode 0600): the client commands (sbatch, squeue,
# scontrol, scancel, sacct) need no extra environment. A foreign slurm.conf found there is saved once as
# /etc/slurm/slurm.conf.before-terminus-ci.
# Fresh cluster on a fresh start (job ids restart at 1, empty accounting DB): state, spool, DB and logs in $SLURM_DIR
# are wiped whenever slurmctld is not running; leftovers of a half-running cluster are stopped first (slurm-down.sh).
# When everything already runs, nothing is restarted; the cluster is only re-checked (node state + a test job).
#
# Environment:
#   SLURM_DIR                  state dir (default /tmp/ci-slurm)
#   SLURM_ACCOUNTING           1 (default) = MariaDB + slurmdbd, plain `sacct` works like on a real cluster;
#                              0 = none: `sacct` exits 1 ("accounting storage is disabled"), `sacct -c` still works
#   SLURM_ENFORCE_PART_LIMITS  1 (default) = EnforcePartLimits=ALL: `sbatch -n 999` is refused at once (exit 1);
#                              0 = NO: such a job is accepted and stays PENDING (PartitionConfig); ANY/ALL/NO also taken
#   SLURM_WAIT                 max seconds for the node to become idle (default 60)
#   SLURM_VERIFY               1 (default) = submit a job "ci-verify" (`--wrap true`, output /dev/null) and wait <= 30 s
#                              until sacct (or scontrol without accounting) shows it COMPLETED; 0 = skip
# Output: last line "slurm-up: ready: ... in N s (...)". Exit: 0 = ready, 1 = failed (reason + log tails on stderr).
# Stop with scripts/ci/slurm-down.sh (same SLURM_DIR).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/usage.sh"
answer_help "scripts/ci/slurm-up.sh   (as root; environment: SLURM_DIR, SLURM_ACCOUNTING, SLURM_ENFORCE_PART_LIMITS, SLURM_WAIT, SLURM_VERIFY)" "$@"
unset SLURM_CONF   # everything (daemons and clients) uses /etc/slurm/slurm.conf
SLURM_DIR=${SLURM_DIR:-/tmp/ci-slurm}
SLURM_ACCOUNTING=${SLURM_ACCOUNTING:-1}
SLURM_ENFORCE_PART_LIMITS=${SLURM_ENFORCE_PART_LIMITS:-1}
SLURM_WAIT=${SLURM_WAIT:-60}
SLURM_VERIFY=${SLURM_VERIFY:-1}
NODE=$(hostname -s)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SCRIPT_NAME=slurm-up
. "$HERE/../lib/proc.sh"
pidof_rec() { cat "$SLURM_DIR/$1.pid" 2>/dev/null || true; }
alive() { local p; p=$(pidof_rec "$1"); [[ $p =~ ^[0-9]+$ ]] && is_proc "$p" "$2"; }    # name, comm
t0=$(date +%s.%N)
tails() { for f in "$@"; do [ -s "$f" ] && { echo "--- $f (tail):"; tail -15 "$f"; } >&2; done; return 0; }

[ "$(id -u)" = 0 ] || die "must run as root"
[[ $SLURM_DIR =~ ^/[A-Za-z0-9._/-]+$ ]] || die "SLURM_DIR must be an absolute path without spaces: '$SLURM_DIR'"
[ ${#SLURM_DIR} -le 80 ] || die "SLURM_DIR is too long for a unix socket path (<= 80 chars)"
case "$SLURM_ACCOUNTING" in 0|1) ;; *) die "SLURM_ACCOUNTING must be 0 or 1";; esac
case "${SLURM_ENFORCE_PART_LIMITS^^}" in
  1|ALL) EPL=ALL;; 0|NO) EPL=NO;; ANY) EPL=ANY;; *) die "SLURM_ENFORCE_PART_LIMITS must be 1, 0, ALL, ANY or NO";;
esac

# ---- packages (once) ---------------------------------------------------------------------------------------
pkgs=()
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && command -v sbatch >/dev/null || pkgs+=(slurm-wlm)
[ -x /usr/sbin/munged ] && command -v munge >/dev/null || pkgs+=(munge)
if [ "$SLURM_ACCOUNTING" = 1 ]; then
  [ -x /usr/sbin/slurmdbd ] || pkgs+=(slurmdbd)
  [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null || pkgs+=(mariadb-server)
fi
. "$HERE/../lib/packages.sh"
[ ${#pkgs[@]} -eq 0 ] || ensure_packages slurm-up "${pkgs[@]}" || exit 1
t0=$(date +%s.%N)   # timing excludes the install

# ---- fresh start or re-check? ------------------------------------------------------------------------------
mkdir -p "$SLURM_DIR"
if alive slurmctld slurmctld; then
  FRESH=0
  echo "slurm-up: slurmctld already running (pid $(pidof_rec slurmctld)), re-checking"
else
  FRESH=1
  if alive slurmd slurmd || alive slurmdbd slurmdbd || alive mariadb mariadbd; then
    echo "slurm-up: half-running cluster in $SLURM_DIR (no slurmctld): stopping it first"
    "$HERE/slurm-down.sh" || true
  fi
  ports="6817 6818"; [ "$SLURM_ACCOUNTING" = 1 ] && ports="$ports 6819"
  for p in $ports; do
    if listening "$p"; then
      echo "slurm-up: port $p is already in use by a process not recorded in $SLURM_DIR:" >&2
      ss -ltnpH "sport = :$p" >&2 || true
      exit 1
    fi
  done
  # fresh cluster: job state, spool, accounting DB, logs, job-completion log
  rm -rf "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/mysql" "$SLURM_DIR"/*.log "$SLURM_DIR"/*.out \
         "$SLURM_DIR/slurmctld.pid" "$SLURM_DIR/slurmd.pid" "$SLURM_DIR/slurmdbd.pid" "$SLURM_DIR/mariadb.pid"
fi
mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" /etc/slurm

# ---- slurm.conf (before anything starts: a running cluster with another config is refused untouched) ------------
if [ "$SLURM_ACCOUNTING" = 1 ]; then
  ACCT="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=6819
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30"
else
  ACCT="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
fi
# real topology + memory of this box, e.g. 'NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105'
NODELINE=$(slurmd -C 2>/dev/null | head -1)
[[ $NODELINE == NodeName=* ]] || die "slurmd -C gave no node line: '$NODELINE'"
cat > "$SLURM_DIR/slurm.conf" <<CONF
# written by terminus scripts/ci/slurm-up.sh (SLURM_DIR=$SLURM_DIR)
ClusterName=ci
SlurmctldHost=$NODE(127.0.0.1)
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
MailProg=/bin/true
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pidfile
SlurmdPidFile=$SLURM_DIR/slurmd.pidfile
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
$ACCT
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_DIR/jobcomp.log
EnforcePartLimits=$EPL
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=300
InactiveLimit=0
KillWait=5
$NODELINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
if [ "$FRESH" = 0 ]; then
  cmp -s "$SLURM_DIR/slurm.conf" /etc/slurm/slurm.conf || {
    diff /etc/slurm/slurm.conf "$SLURM_DIR/slurm.conf" >&2 || true
    die "the running cluster uses another /etc/slurm/slurm.conf (SLURM_ACCOUNTING / SLURM_ENFORCE_PART_LIMITS changed?): run slurm-down.sh first"; }
else
  if [ -f /etc/slurm/slurm.conf ] && ! grep -q '^# written by terminus scripts/ci/slurm-up.sh' /etc/slurm/slurm.conf \
     && [ ! -e /etc/slurm/slurm.conf.before-terminus-ci ]; then
    cp -p /etc/slurm/slurm.conf /etc/slurm/slurm.conf.before-terminus-ci
    echo "slurm-up: saved the existing /etc/slurm/slurm.conf as /etc/slurm/slurm.conf.before-terminus-ci"
  fi
  install -m 0644 "$SLURM_DIR/slurm.conf" /etc/slurm/slurm.conf
fi

# ---- munge ---------------------------------------------------------------------------------------------------
munge_ok() { [ -S /run/munge/munge.socket.2 ] && timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; }
install -d -o munge -g munge -m 0755 /run/munge          # socket + pid dir (tmpfs, normally made by systemd)
install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge /etc/munge "$SLURM_DIR/munge"
if [ ! -s /etc/munge/munge.key ]; then      # the postinst normally creates it
  mungekey --create --keyfile /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
fi
if munge_ok; then
  if ! alive munged munged; then
    rm -f "$SLURM_DIR/munged.pid"
    echo "slurm-up: reusing the munged already answering on /run/munge (not started here, not recorded)"
  fi
else
  if alive munged munged; then kill -KILL "$(pidof_rec munged)" 2>/dev/null || true; sleep 0.2; fi   # ours, but hung
  rm -f "$SLURM_DIR/munged.pid"
  # setpriv execs (unlike runuser, which forks and waits), so $! is munged itself
  setsid setpriv --reuid=munge --regid=munge --init-groups -- /usr/sbin/munged --foreground \
    --log-file="$SLURM_DIR/munge/munged.log" </dev/null >"$SLURM_DIR/munged.out" 2>&1 &
  echo $! > "$SLURM_DIR/munged.pid"
  for _ in $(seq 1 50); do munge_ok && break; alive munged munged || break; sleep 0.1; done
  munge_ok || { tails "$SLURM_DIR/munged.out" "$SLURM_DIR/munge/munged.log"; die "munged did not come up"; }
fi

# ---- optional accounting: MariaDB (unix socket only) + slurmdbd on 127.0.0.1:6819 -------------------------------
if [ "$SLURM_ACCOUNTING" = 1 ]; then
  SOCK=$SLURM_DIR/mysql/mysqld.sock        # private socket: no clash with a system MariaDB on /run/mysqld
  db_ok() { timeout 5 mariadb-admin --no-defaults --socket="$SOCK" ping >/dev/null 2>&1; }
  if ! alive mariadb mariadbd || ! db_ok; then
    if alive mariadb mariadbd; then kill -KILL "$(pidof_rec mariadb)" 2>/dev/null || true; sleep 0.5; fi
    rm -f "$SLURM_DIR/mariadb.pid"
    if [ ! -d "$SLURM_DIR/mysql/mysql" ]; then
      # mariadb-install-db costs 1-2.5 s, so it runs once per MariaDB version into a template (system tables only,
      # no Slurm data); each fresh start copies that (~0.2 s)
      tpl=$SLURM_DIR/mysql-template-$(/usr/sbin/mariadbd --version | awk '{print $3}')
      if [ ! -d "$tpl/mysql" ]; then
        rm -rf "$SLURM_DIR"/mysql-template-*; install -d -o mysql -g mysql -m 0750 "$tpl.tmp"
        mariadb-install-db --no-defaults --user=mysql --datadir="$tpl.tmp" --skip-test-db \
          --auth-root-authentication-method=socket --innodb-log-file-size=16M >"$SLURM_DIR/mariadb-install.out" 2>&1 || {
          tails "$SLURM_DIR/mariadb-install.out"; rm -rf "$tpl.tmp"; die "mariadb-install-db failed"; }
        mv "$tpl.tmp" "$tpl"
      fi
      rm -rf "$SLURM_DIR/mysql"; cp -a "$tpl" "$SLURM_DIR/mysql"
    fi
    # --user: mariadbd drops to mysql itself, so $! is the server. Log + pid file inside the mysql-owned datadir
    # (as mysql it cannot write into root-owned dirs and would die silently).
    setsid /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$SLURM_DIR/mysql" --socket="$SOCK" \
      --skip-networking --pid-file="$SLURM_DIR/mysql/mariadbd.pid" --log-error="$SLURM_DIR/mysql/mariadb.err" \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --innodb-lock-wait-timeout=900 </dev/null >"$SLURM_DIR/mariadb.out" 2>&1 &
    echo $! > "$SLURM_DIR/mariadb.pid"
    for _ in $(seq 1 300); do db_ok && break; alive mariadb mariadbd || break; sleep 0.1; done   # <= 30 s
    db_ok || { tails "$SLURM_DIR/mariadb.out" "$SLURM_DIR/mysql/mariadb.err"; die "MariaDB did not come up"; }
  fi
  umask_old=$(umask); umask 077
  cat > /etc/slurm/slurmdbd.conf.new <<CONF
# written by terminus scripts/ci/slurm-up.sh (SLURM_DIR=$SLURM_DIR)
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=6819
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct_db
PidFile=$SLURM_DIR/slurmdbd.pidfile
LogFile=$SLURM_DIR/slurmdbd.log
# undocumented for slurmdbd in 22.05, but makes it bind DbdHost (127.0.0.1) instead of 0.0.0.0
CommunicationParameters=NoInAddrAny
CONF
  umask "$umask_old"
  chmod 0600 /etc/slurm/slurmdbd.conf.new   # slurmdbd refuses a group/world-readable config
  mv -f /etc/slurm/slurmdbd.conf.new /etc/slurm/slurmdbd.conf
  if ! alive slurmdbd slurmdbd; then
    listening 6819 && { ss -ltnpH 'sport = :6819' >&2; die "port 6819 is in use by a process not recorded in $SLURM_DIR"; }
    # MYSQL_UNIX_PORT: the MariaDB client library then connects "localhost" through our private socket
    MYSQL_UNIX_PORT=$SOCK setsid /usr/sbin/slurmdbd -D </dev/null >"$SLURM_DIR/slurmdbd.out" 2>&1 &
    echo $! > "$SLURM_DIR/slurmdbd.pid"
    for _ in $(seq 1 300); do listening 6819 && break; alive slurmdbd slurmdbd || break; sleep 0.1; done   # <= 30 s
    listening 6819 || { tails "$SLURM_DIR/slurmdbd.out" "$SLURM_DIR/slurmdbd.log"; die "slurmdbd did not listen on 127.0.0.1:6819"; }
  fi
fi

# ---- daemons ---------------------------------------------------------------------------------------------------
if ! alive slurmctld slurmctld; then
  setsid /usr/sbin/slurmctld -D -c </dev/null >"$SLURM_DIR/slurmctld.out" 2>&1 &   # -D foreground, -c clear old state
  echo $! > "$SLURM_DIR/slurmctld.pid"
fi
# slurmd only once the controller listens: a slurmd that cannot register at once retries only after a few seconds
st=
deadline=$(( $(date +%s) + SLURM_WAIT ))
while ! listening 6817 && [ "$(date +%s)" -lt "$deadline" ] && alive slurmctld slurmctld; do sleep 0.05; done
if ! alive slurmd slurmd; then
  listening 6818 && { ss -ltnpH 'sport = :6818' >&2; die "port 6818 is in use by a process not recorded in $SLURM_DIR"; }
  setsid /usr/sbin/slurmd -D -N "$NODE" </dev/null >"$SLURM_DIR/slurmd.out" 2>&1 &
  echo $! > "$SLURM_DIR/slurmd.pid"
fi

# ---- readiness: controller answers and the node is idle -----------------------------------------------------------
while [ "$(date +%s)" -lt "$deadline" ]; do
  st=$(timeout 5 sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null || true)
  case "$st" in idle|mix|alloc) break;; esac   # a trailing * (e.g. "idle*") = not responding yet
  alive slurmctld slurmctld && alive slurmd slurmd || break
  sleep 0.2
done
case "$st" in
  idle|mix|alloc) ;;
  *) tails "$SLURM_DIR/slurmctld.out" "$SLURM_DIR/slurmctld.log" "$SLURM_DIR/slurmd.out" "$SLURM_DIR/slurmd.log"
     alive slurmctld slurmctld || echo "slurm-up: slurmctld is not running" >&2
     alive slurmd slurmd || echo "slurm-up: slurmd is not running" >&2
     die "node $NODE not ready after ${SLURM_WAIT} s (state '${st:-no answer}'); stop leftovers with slurm-down.sh";;
esac
t_ready=$(since "$t0")

# ---- real check: a job that must end COMPLETED ----------------------------------------------------------------------
verified="not verified (SLURM_VERIFY=0)"
if [ "$SLURM_VERIFY" = 1 ]; then
  tv=$(date +%s.%N)
  J=$(timeout 20 sbatch --parsable -J ci-verify -D "$SLURM_DIR" -o /dev/null -e /dev/null --wrap true 2>&1) || \
    die "test job: sbatch failed: $J"
  J=${J%%;*}
  [[ $J =~ ^[0-9]+$ ]] || die "test job: unexpected sbatch output '$J'"
  if [ "$SLURM_ACCOUNTING" = 1 ]; then via=sacct; else via=scontrol; fi
  state=
  vdeadline=$(( $(date +%s) + 30 ))
  while [ "$(date +%s)" -lt "$vdeadline" ]; do   # <= 30 s
    if [ "$via" = sacct ]; then
      state=$(timeout 10 sacct -X -n -P -o State -j "$J" 2>/dev/null | head -1 || true)
    else
      state=$(timeout 10 scontrol show job "$J" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    fi
    case "$state" in COMPLETED|FAILED|CANCELLED*|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED) break;; esac
    sleep 0.2
  done
  if [ "$state" != COMPLETED ]; then
    tails "$SLURM_DIR/slurmctld.log" "$SLURM_DIR/slurmd.log" "$SLURM_DIR/slurmdbd.log"
    die "test job $J: $via shows '${state:-nothing}' (want COMPLETED) after 30 s"
  fi
  verified="test job $J COMPLETED per $via in $(since "$tv") s"
  echo "slurm-up: $verified"
fi

cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$NODELINE")
if [ "$SLURM_ACCOUNTING" = 1 ]; then acct="accounting slurmdbd 127.0.0.1:6819 (plain sacct)"; else acct="no accounting (sacct -c only)"; fi
echo "slurm-up: ready: node $NODE $st ($cpus CPUs), partition debug, ctld 127.0.0.1:6817, $acct, EnforcePartLimits=$EPL in $(since "$t0") s (node ready after $t_ready s; pids $(for d in munged mariadb slurmdbd slurmctld slurmd; do p=$(pidof_rec $d); [ -n "$p" ] && printf '%s=%s ' "$d" "$p"; done | sed 's/ $//'); SLURM_DIR=$SLURM_DIR)"
