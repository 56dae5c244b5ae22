#!/usr/bin/env bash
# Stop what rmq-up.sh started, by recorded PID only.
# SIGTERM = orderly shutdown in RabbitMQ >= 3.8 (durable queues + persistent messages survive; see RMQ_KEEP_STATE).
# A recorded PID is only signalled if it still is the expected program (beam.smp / epmd), so a stale pid file
# never hits an unrelated process. Never fails (exit 0), prints what it did.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
RMQ_DIR=${RMQ_DIR:-/tmp/ci-rabbitmq}
SCRIPT_NAME=rmq-down
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
t0=$(date +%s.%N)
if [ -f "$RMQ_DIR/rabbit.pid" ]; then
  stop_pid "$(cat "$RMQ_DIR/rabbit.pid")" 30 beam.smp   # ~1.1 s without management, ~6.1 s with it
  rm -f "$RMQ_DIR/rabbit.pid"
  stopped=rabbitmq
fi
if [ -f "$RMQ_DIR/epmd.pid" ]; then
  stop_pid "$(cat "$RMQ_DIR/epmd.pid")" 5 epmd
  rm -f "$RMQ_DIR/epmd.pid"
  stopped="${stopped:-} epmd"
fi
echo "rmq-down: stopped ${stopped:-nothing (no pid files in $RMQ_DIR)} in $(since "$t0") s"
exit 0
