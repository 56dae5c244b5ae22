#!/usr/bin/env bash
# Stop everything slurm-up.sh started, by recorded PID only.
#   1. if our slurmctld runs: scancel every job and wait (<= 15 s) until squeue is empty -- otherwise slurmstepd and
#      the job scripts outlive slurmd, re-parented to PID 1;
#   2. SIGTERM all recorded daemons at once (slurmd slurmctld slurmdbd mariadb munged; each only if it still is that
#      program), wait <= 15 s, SIGKILL stragglers. "Alive" ignores zombies (PID 1 reaps late; kill -0 lies);
#   3. a slurmstepd that still listens on a socket in our spool dir (jobs that scancel could not end, e.g. because
#      slurmctld had died) gets SIGKILL, the rest of its session (the job script and its children) SIGTERM, then
#      SIGKILL after 5 s; all are reported. Nothing is ever killed by name.
# Keeps /etc/slurm/*.conf and $SLURM_DIR (logs); slurm-up.sh wipes the state on its next fresh start.
# Environment: SLURM_DIR (default /tmp/ci-slurm). Never fails (exit 0), prints what it did.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
unset SLURM_CONF
SLURM_DIR=${SLURM_DIR:-/tmp/ci-slurm}
SCRIPT_NAME=slurm-down
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
pidof_rec() { local p; p=$(cat "$SLURM_DIR/$1.pid" 2>/dev/null); [[ $p =~ ^[0-9]+$ ]] && echo "$p"; }
wait_gone() {  # seconds pid... -> prints the pids still alive afterwards
  local n=$(( $1 * 10 )) p still; shift
  for _ in $(seq 1 "$n"); do
    still=(); for p in "$@"; do running "$p" && still+=("$p"); done
    [ ${#still[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  echo "${still[@]}"
}
t0=$(date +%s.%N)
did=()

# ---- 1. jobs ---------------------------------------------------------------------------------------------------------
p=$(pidof_rec slurmctld)
if [ -n "$p" ] && is_proc "$p" slurmctld; then
  jobs=$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ' || true)
  if [ -n "${jobs// /}" ]; then
    tj=$(date +%s.%N)
    timeout 10 scancel $jobs 2>/dev/null || true
    pending=
    for _ in $(seq 1 150); do   # <= 15 s
      pending=$(timeout 5 squeue -h -o %i 2>/dev/null | tr '\n' ' ' || true)
      [ -z "${pending// /}" ] && break
      sleep 0.1
    done
    if [ -n "${pending// /}" ]; then
      echo "slurm-down: jobs still in squeue after 15 s: $pending" >&2
    fi
    did+=("cancelled job(s) ${jobs% } in $(since "$tj") s")
  fi
fi

# ---- 2. daemons, all at once ---------------------------------------------------------------------------------------
pids=() names=()
for d in slurmd:slurmd slurmctld:slurmctld slurmdbd:slurmdbd mariadb:mariadbd munged:munged; do
  name=${d%%:*} comm=${d##*:}
  p=$(pidof_rec "$name")
  rm -f "$SLURM_DIR/$name.pid"
  [ -n "$p" ] || continue
  if is_proc "$p" "$comm"; then
    kill -TERM "$p" 2>/dev/null && { pids+=("$p"); names+=("$name=$p"); }
  fi
done
if [ ${#pids[@]} -gt 0 ]; then
  td=$(date +%s.%N)
  left=$(wait_gone 15 "${pids[@]}")
  if [ -n "$left" ]; then
    echo "slurm-down: pid(s) $left ignored SIGTERM for 15 s, SIGKILL" >&2
    kill -KILL $left 2>/dev/null
    wait_gone 3 $left >/dev/null
  fi
  did+=("stopped ${names[*]} in $(since "$td") s")
fi

# ---- 3. leftovers: step daemons of our slurmd + their job scripts -----------------------------------------------------
# A slurmstepd listens on a unix socket in our SlurmdSpoolDir ($SLURM_DIR/spool/<node>_<job>.<step>) and runs in its
# own session together with the job's processes. Only those sessions are touched (no name-based killing).
strays=()
for sp in $(ss -lxpH 2>/dev/null | awk -v d="$SLURM_DIR/spool/" 'index($5, d) == 1' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
  sid=$(ps -o sid= -p "$sp" 2>/dev/null | tr -d ' ')
  [ -n "$sid" ] || continue
  for q in $(ps -o pid= -s "$sid" 2>/dev/null); do running "$q" && strays+=("$q"); done
done
if [ ${#strays[@]} -gt 0 ]; then
  echo "slurm-down: leftover job processes of $SLURM_DIR (slurmstepd + job scripts), stopping them:" >&2
  ps -o pid,sid,user,cmd -p "$(IFS=,; echo "${strays[*]}")" >&2
  # slurmstepd itself ignores SIGTERM once its slurmd is gone (measured: it sat out the whole grace period), so it
  # gets SIGKILL at once; the job's own processes get SIGTERM first
  for q in "${strays[@]}"; do
    if [ "$(cat "/proc/$q/comm" 2>/dev/null)" = slurmstepd ]; then kill -KILL "$q" 2>/dev/null; else kill -TERM "$q" 2>/dev/null; fi
  done
  left=$(wait_gone 5 "${strays[@]}")
  [ -n "$left" ] && { kill -KILL $left 2>/dev/null; wait_gone 3 $left >/dev/null; }
  did+=("stopped ${#strays[@]} leftover job process(es)")
fi

[ ${#did[@]} -eq 0 ] && did=("nothing to do (no live daemons recorded in $SLURM_DIR)")
msg=$(printf '%s; ' "${did[@]}")
echo "slurm-down: ${msg%; } -- total $(since "$t0") s"
exit 0
