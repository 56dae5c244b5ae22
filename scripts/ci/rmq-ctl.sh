#!/usr/bin/env bash
# rabbitmqctl against the broker started by rmq-up.sh, e.g.
#   rmq-ctl.sh stop_app | start_app | await_startup
#   rmq-ctl.sh close_all_connections -p terminus "test"   (without -p it only closes vhost "/" ones: 0)
#   rmq-ctl.sh list_consumers -p terminus
#   rmq-ctl.sh list_queues -p terminus name messages_ready messages_unacknowledged consumers
# Always goes through the /usr/sbin wrapper (it su's to rabbitmq -> right Erlang cookie), with the same node name
# and loopback epmd as rmq-up.sh. Each call costs ~0.5 s (Erlang CLI boot). Output/exit code are rabbitmqctl's.
# Refuses to run (exit 69) when no epmd listens on 127.0.0.1:4369, because rabbitmqctl would then spawn a
# stray root `epmd -daemon` on 0.0.0.0 that outlives everything.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export RMQ_DIR=${RMQ_DIR:-/tmp/ci-rabbitmq}
export RABBITMQ_NODENAME=rabbit@localhost
export RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins
export RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia
export RABBITMQ_LOG_BASE=$RMQ_DIR/log
export RABBITMQ_PID_FILE=$RMQ_DIR/rabbit.pid
export ERL_EPMD_ADDRESS=127.0.0.1
SCRIPT_NAME=rmq-ctl
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
if ! listening 4369; then
  echo "rmq-ctl: no epmd on 127.0.0.1:4369 -> the broker is not running (start it with scripts/ci/rmq-up.sh)" >&2
  exit 69
fi
exec timeout "${RMQ_CTL_TIMEOUT:-60}" /usr/sbin/rabbitmqctl "$@"
