# Sourced by the scripts that start and stop things (demo.sh, test.sh, bench.sh, ci/*): process, port and time
# helpers, so that every script stops only what it started, by recorded PID, the same way. Messages are prefixed with
# $SCRIPT_NAME (default: the script's file name).

# pid: alive. A zombie counts as gone (PID 1 may reap it late, and kill -0 says yes to zombies).
running() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${s:0:1}" != Z ]; }

# pid, comm: alive and still that program, so that a stale pid file never hits an unrelated process.
is_proc() { running "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }

# port: something listens on it (TCP, any address).
listening() { [ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }

# t0 (from date +%s.%N): the seconds since, with one decimal.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# message: says it on stderr, prefixed with the script's name, and exits 1.
die() { echo "${SCRIPT_NAME:-${0##*/}}: $*" >&2; exit 1; }

# pid, seconds [, comm]: SIGTERM (when comm is given, only if the pid still is that program), then SIGKILL after the
# grace period; returns once the process is gone (or 3 s after the SIGKILL).
stop_pid() {
  local pid=$1 grace=$2 comm=${3:-}
  if [ -n "$comm" ]; then is_proc "$pid" "$comm" || return 0; else running "$pid" || return 0; fi
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((grace * 10))); do running "$pid" || return 0; sleep 0.1; done
  echo "${SCRIPT_NAME:-${0##*/}}: ${comm:-pid} $pid still alive after $grace s, SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null
  for _ in $(seq 1 30); do running "$pid" || return 0; sleep 0.1; done
}
