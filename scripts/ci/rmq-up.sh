#!/usr/bin/env bash
# Start a throw-away RabbitMQ on 127.0.0.1 (no systemd). Idempotent. Run as root.
# Loopback only, its own epmd, PIDs recorded.
#
# Environment:
#   RMQ_DIR         state dir (default /tmp/ci-rabbitmq): mnesia, logs, config, rabbit.pid, epmd.pid
#   RMQ_PLUGINS     content of enabled_plugins (default '[].' = no management plugin -> stop in ~1 s;
#                   use '[rabbitmq_management].' for the HTTP API on 127.0.0.1:15672, stop then takes ~6 s)
#   RMQ_KEEP_STATE  1 = keep the mnesia dir (queues, bindings, persistent messages) from the previous run
#                   (broker-restart tests); default: wipe it, every start is an empty broker
#   RMQ_VHOST / RMQ_USER / RMQ_PASS   default terminus / terminus / terminus-pass (created on first boot only)
#   RMQ_WAIT        max seconds to wait for the broker to boot (default 90)
#   RMQ_TLS_PORT    an AMQPS listener on 127.0.0.1:<port> (default 5671; empty = none). Its certificates are made here
#                   with openssl, in $RMQ_DIR/tls (kept with RMQ_KEEP_STATE=1): ca.pem/ca.key (a throw-away CA),
#                   server.pem/server.key (names DNS:localhost only, signed by that CA). A client may present a
#                   certificate from that CA (verify_peer, not required). Tests may replace server.pem and clear
#                   the broker's PEM cache (rmq-ctl.sh eval 'ssl:clear_pem_cache().') to present another one.
#   RMQ_CONSUMER_TIMEOUT_MS  the broker's consumer_timeout (a channel whose delivery stays unacked longer is closed);
#                   unset = RabbitMQ's default (30 min). The tests set it low to prove no request is held unacked.
# Exit: 0 = broker ready (or already running), 1 = failed (error log lines printed).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
set -euo pipefail
export RMQ_DIR=${RMQ_DIR:-/tmp/ci-rabbitmq}
export RABBITMQ_NODENAME=rabbit@localhost
export RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins
export RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia
export RABBITMQ_LOG_BASE=$RMQ_DIR/log
export RABBITMQ_PID_FILE=$RMQ_DIR/rabbit.pid
export RABBITMQ_DIST_PORT=25672
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
RMQ_VHOST=${RMQ_VHOST:-terminus} RMQ_USER=${RMQ_USER:-terminus} RMQ_PASS=${RMQ_PASS:-terminus-pass}
RMQ_PLUGINS=${RMQ_PLUGINS:-[].}
RMQ_KEEP_STATE=${RMQ_KEEP_STATE:-0}
RMQ_WAIT=${RMQ_WAIT:-90}
RMQ_TLS_PORT=${RMQ_TLS_PORT-5671}
TLS_DIR=$RMQ_DIR/tls

SCRIPT_NAME=rmq-up
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
t0=$(date +%s.%N)

if ! command -v rabbitmq-server >/dev/null; then
  echo "rmq-up: rabbitmq-server is not installed (apt-get install -y rabbitmq-server)" >&2; exit 1
fi
mkdir -p "$RMQ_DIR"
if [ -f "$RABBITMQ_PID_FILE" ] && is_proc "$(cat "$RABBITMQ_PID_FILE")" beam.smp; then
  echo "rmq-up: rabbitmq already running (pid $(cat "$RABBITMQ_PID_FILE"), RMQ_DIR=$RMQ_DIR)"
  exit 0
fi
if listening 5672; then
  echo "rmq-up: port 5672 is already in use by a process not recorded in $RMQ_DIR:" >&2
  ss -ltnpH 'sport = :5672' >&2 || true
  exit 1
fi
rm -f "$RABBITMQ_PID_FILE"
if [ -n "$RMQ_TLS_PORT" ] && listening "$RMQ_TLS_PORT"; then
  echo "rmq-up: port $RMQ_TLS_PORT (RMQ_TLS_PORT) is already in use" >&2; exit 1
fi
if [ "$RMQ_KEEP_STATE" = 1 ]; then
  echo "rmq-up: RMQ_KEEP_STATE=1, keeping $RABBITMQ_MNESIA_BASE"
else
  rm -rf "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE" "$TLS_DIR"   # fresh state each run
fi
if [ -n "$RMQ_TLS_PORT" ] && [ ! -f "$TLS_DIR/server.pem" ]; then
  mkdir -p "$TLS_DIR"
  ( cd "$TLS_DIR" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 400 \
      -subj "/CN=Terminus CI broker CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" &&
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 400 -extfile server.ext -out server.pem
  ) >"$RMQ_DIR/tls.log" 2>&1 || { echo "rmq-up: openssl could not make the TLS certificates:" >&2; cat "$RMQ_DIR/tls.log" >&2; exit 1; }
fi
{
  echo "listeners.tcp.1 = 127.0.0.1:5672"
  if [ -n "$RMQ_TLS_PORT" ]; then
    cat <<CONF
listeners.ssl.1 = 127.0.0.1:$RMQ_TLS_PORT
ssl_options.cacertfile = $TLS_DIR/ca.pem
ssl_options.certfile = $TLS_DIR/server.pem
ssl_options.keyfile = $TLS_DIR/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
CONF
  fi
  if [[ $RMQ_PLUGINS == *rabbitmq_management* ]]; then
    echo "management.tcp.ip = 127.0.0.1"
    echo "management.tcp.port = 15672"
  fi
  cat <<CONF
loopback_users.guest = true
# created on first boot of a fresh mnesia dir -> no rabbitmqctl calls needed
default_vhost = $RMQ_VHOST
default_user = $RMQ_USER
default_pass = $RMQ_PASS
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
CONF
  if [ -n "${RMQ_CONSUMER_TIMEOUT_MS:-}" ]; then echo "consumer_timeout = $RMQ_CONSUMER_TIMEOUT_MS"; fi
} > "$RABBITMQ_CONFIG_FILE"
echo "$RMQ_PLUGINS" > "$RABBITMQ_ENABLED_PLUGINS_FILE"   # same as `rabbitmq-plugins enable --offline`, 1 s cheaper
chown -R rabbitmq:rabbitmq "$RMQ_DIR"

# Our own epmd (loopback, PID known, own session so it survives the caller's process group) so that no CLI call
# spawns a stray root `epmd -daemon` on 0.0.0.0. If some epmd already listens, use it and record nothing.
rm -f "$RMQ_DIR/epmd.pid"
if ! listening 4369; then
  setsid /usr/bin/epmd -address 127.0.0.1 -port 4369 </dev/null >"$RMQ_DIR/epmd.log" 2>&1 &
  epid=$!
  for _ in $(seq 1 50); do listening 4369 && break; sleep 0.1; done
  if ! is_proc "$epid" epmd; then   # setsid forked (we were a group leader): find the listener's pid
    epid=$(ss -ltnpH 'sport = :4369' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  fi
  [ -n "$epid" ] && echo "$epid" > "$RMQ_DIR/epmd.pid"
fi

rabbitmq-server -detached </dev/null   # wrapper su's to user rabbitmq; env vars pass through
if ! timeout $((RMQ_WAIT + 30)) rabbitmqctl wait --timeout "$RMQ_WAIT" "$RABBITMQ_PID_FILE" >/dev/null 2>&1; then
  echo "rmq-up: rabbitmq failed to start within ${RMQ_WAIT} s:" >&2
  grep -hE '\[(error|critical)\]' "$RABBITMQ_LOG_BASE"/*.log 2>/dev/null | tail -20 >&2
  if [ -f "$RABBITMQ_PID_FILE" ] && is_proc "$(cat "$RABBITMQ_PID_FILE")" beam.smp; then
    kill -KILL "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null || true
  fi
  rm -f "$RABBITMQ_PID_FILE"
  if [ -f "$RMQ_DIR/epmd.pid" ] && is_proc "$(cat "$RMQ_DIR/epmd.pid")" epmd; then
    kill -TERM "$(cat "$RMQ_DIR/epmd.pid")" 2>/dev/null || true
  fi
  rm -f "$RMQ_DIR/epmd.pid"
  exit 1
fi
echo "rmq-up: rabbitmq ready in $(since "$t0") s: amqp://$RMQ_USER:***@127.0.0.1:5672/$RMQ_VHOST${RMQ_TLS_PORT:+, amqps on 127.0.0.1:$RMQ_TLS_PORT (CA $TLS_DIR/ca.pem)} (pid $(cat "$RABBITMQ_PID_FILE"), RMQ_DIR=$RMQ_DIR)"
