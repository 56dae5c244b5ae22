#!/usr/bin/env bash
# Stop what rmq-up.sh started, by recorded PID only (recipe: env-recipes.md §2.2).
# SIGTERM = orderly shutdown in RabbitMQ >= 3.8 (durable queues + persistent messages survive; see RMQ_KEEP_STATE).
# A recorded PID is only signalled if it still is the expected program (beam.smp / epmd), so a stale pid file
# never hits an unrelated process. Never fails (exit 0), prints what it did.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
RMQ_DIR=${RMQ_DIR:-/tmp/ci-rabbitmq}
running() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${s:0:1}" != Z ]; }   # zombie = gone
is_proc() { running "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }       # pid, expected comm
stop_pid() {  # pid, expected comm, seconds
  is_proc "$1" "$2" || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 $(( $3 * 10 ))); do running "$1" || return 0; sleep 0.1; done
  echo "rmq-down: $2 pid $1 still alive after $3 s, SIGKILL" >&2; kill -KILL "$1" 2>/dev/null
  for _ in $(seq 1 30); do running "$1" || return 0; sleep 0.1; done
}
t0=$(date +%s.%N)
if [ -f "$RMQ_DIR/rabbit.pid" ]; then
  stop_pid "$(cat "$RMQ_DIR/rabbit.pid")" beam.smp 30   # ~1.1 s without management, ~6.1 s with it
  rm -f "$RMQ_DIR/rabbit.pid"
  stopped=rabbitmq
fi
if [ -f "$RMQ_DIR/epmd.pid" ]; then
  stop_pid "$(cat "$RMQ_DIR/epmd.pid")" epmd 5
  rm -f "$RMQ_DIR/epmd.pid"
  stopped="${stopped:-} epmd"
fi
echo "rmq-down: stopped ${stopped:-nothing (no pid files in $RMQ_DIR)} in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
exit 0
