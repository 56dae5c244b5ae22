#!/usr/bin/env bash
# THE demo of Terminus.Actors:   scripts/demo.sh
#
# On a fresh Debian 12 machine with the .NET 10 SDK, as root, it sets up and runs the daemon's main job on a
# self-contained loopback default, and cleans up after itself:
#   1. installs what it needs (rabbitmq-server, python3-celery, openssh-server, rsync) if missing;
#   2. starts a loopback RabbitMQ (unless one already listens on 127.0.0.1:5672, which is then reused and left alone)
#      and a loopback storage target: an sshd on 127.0.0.1:2222 with a key-only account `storage`, reached through
#      the alias Galactica_storage in root's ~/.ssh/config (scripts/ci/ssh-up.sh; removed again at the end);
#   3. lays out a lab machine under $DEMO_DIR (default /tmp/terminus-demo): a 0.7-style ~/.terminus/terminus.env and
#      password file, the example services, and a generated snapshot (GAL_FORMATION/TEST_GALAXY/SIMU_1/output_00003);
#   4. declares the portal's queues exactly as the portal does and starts the portal's side: a real Celery worker
#      that receives update_terminus_job_status / update_server_online;
#   5. builds and starts the daemon, then submits a density-map job, a bash-service job in test mode, a request for a
#      service that does not exist, and a liveness probe, all with a real Celery client as the portal does;
#   6. prints the status sequence of each job, where the tarball landed and what it holds, and the probe's answer,
#      then stops everything it started, by PID.
# Environment: DEMO_DIR, DEMO_HOST (default "demo"), DEMO_KEEP=1 keeps $DEMO_DIR for inspection.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib/usage.sh"
answer_help "scripts/demo.sh   (environment: DEMO_DIR, DEMO_HOST, DEMO_KEEP=1)" "$@"
SCRIPT_NAME=demo
. "$ROOT/scripts/lib/proc.sh"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
DEMO_DIR=${DEMO_DIR:-/tmp/terminus-demo}
HOST=${DEMO_HOST:-demo}
PY=/usr/bin/python3
HARNESS=$ROOT/test/harness/galactica_portal.py
export AMQP_URI=amqp://terminus:terminus-pass@127.0.0.1:5672/terminus
export RMQ_DIR=$DEMO_DIR/rabbitmq
export SSH_DIR=$DEMO_DIR/sshd
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }

STARTED_RMQ=0 STARTED_SSH=0 DAEMON_PID= WORKER_PID= STORAGE=
cleanup() {
  [ -n "$DAEMON_PID" ] && stop_pid "$DAEMON_PID" 60
  [ -n "$WORKER_PID" ] && stop_pid "$WORKER_PID" 10
  if [ -n "$DAEMON_PID$WORKER_PID" ] && [ -d "$DEMO_DIR" ]; then
    $PY "$HARNESS" delete-queues --host "$HOST" >/dev/null 2>&1 || true
  fi
  [ "$STARTED_RMQ" = 1 ] && "$ROOT/scripts/ci/rmq-down.sh" >/dev/null 2>&1
  if [ -n "$STORAGE" ] && [ "${DEMO_KEEP:-0}" != 1 ]; then rm -f "$STORAGE"/12[0-9]_*.tar.gz; fi
  [ "$STARTED_SSH" = 1 ] && "$ROOT/scripts/ci/ssh-down.sh" >/dev/null 2>&1
  if [ "${DEMO_KEEP:-0}" != 1 ]; then rm -rf "$DEMO_DIR"; else say "kept $DEMO_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. packages ------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is needed: https://learn.microsoft.com/dotnet/core/install/linux-debian"
. "$ROOT/scripts/lib/packages.sh"
ensure_packages demo rabbitmq-server openssl python3-celery openssh-server openssh-client rsync || exit 1

# ---- 2. broker --------------------------------------------------------------------------------------------
rm -rf "$DEMO_DIR"; mkdir -p "$DEMO_DIR"
if listening 5672; then
  say "reusing the RabbitMQ already listening on 127.0.0.1:5672"
else
  say "starting a loopback RabbitMQ"
  "$ROOT/scripts/ci/rmq-up.sh" >"$DEMO_DIR/rabbitmq.out" 2>&1 || { cat "$DEMO_DIR/rabbitmq.out"; die "RabbitMQ did not start"; }
  STARTED_RMQ=1
fi
say "starting a loopback storage target (sshd on 127.0.0.1:2222, alias Galactica_storage)"
STARTED_SSH=1
"$ROOT/scripts/ci/ssh-up.sh" >"$DEMO_DIR/sshd.out" 2>&1 || { cat "$DEMO_DIR/sshd.out"; die "sshd did not start"; }
STORAGE=$(cat "$SSH_DIR/storage_home")

# ---- 3. the lab machine -------------------------------------------------------------------------------------
HOME_DIR=$DEMO_DIR/home; DOT=$HOME_DIR/.terminus
mkdir -p "$DOT/_secret" "$HOME_DIR/data" "$HOME_DIR/jobs" "$HOME_DIR/services"
chmod 700 "$DOT" "$DOT/_secret"
printf 'terminus-pass\n' >"$DOT/_secret/rabbitmq_server_pwd"; chmod 600 "$DOT/_secret/rabbitmq_server_pwd"
# Written as terminus_config 0.7 writes it (KEY="value" lines, its Celery lines, __empty__ for unset): the daemon reads a 0.7 file unchanged.
cat >"$DOT/terminus.env" <<ENV
# Terminus environment variable
TERMINUS_HOSTNAME="$HOST"
TERMINUS_DOT_DIR="$DOT"
TERMINUS_DATA_DIR="$HOME_DIR/data"
TERMINUS_JOB_DIR="$HOME_DIR/jobs"

TERMINUS_ROOT="__empty__"
TERMINUS_SERVICE_DIR="$HOME_DIR/services"

TERMINUS_USE_SLURM="0"

GALACSTORAGE_SSH_ALIAS="Galactica_storage"
RABBITMQ_USERNAME="terminus"
RABBITMQ_HOST="localhost"
RABBITMQ_PORT="5672"
RABBITMQ_VIRTUAL_HOST="terminus"

PATH=/usr/bin

# Celery configuration
CELERYD_NODES=job_worker1@$HOST.terminus job_worker2@$HOST.terminus monitor@$HOST.terminus
CELERY_BIN="__empty__"
CELERY_APP="Terminus"
CELERYD_MULTI="multi"
CELERYD_OPTS="--concurrency=2 -Q $HOST.terminus_jobs -c:3 1 -Q:3 $HOST.monitor"
CELERYD_PID_FILE=$DOT/pids/%n.pid
CELERYD_LOG_FILE=$DOT/logs/%n.log
CELERYD_LOG_LEVEL="INFO"
CELERY_CREATE_DIRS=1
ENV
cp -r "$ROOT/examples/services/." "$HOME_DIR/services/"
$PY "$ROOT/examples/data/make_snapshot.py" "$HOME_DIR/data" >/dev/null || die "could not generate the example snapshot"
say "lab machine laid out in $HOME_DIR (services: $(ls "$HOME_DIR/services" | tr '\n' ' '))"

# ---- 4. the portal's side -----------------------------------------------------------------------------------
$PY "$HARNESS" declare --host "$HOST" >/dev/null || die "could not declare the portal's queues"
$PY "$HARNESS" worker --out "$DEMO_DIR/portal.jsonl" --ready "$DEMO_DIR/portal.ready" >"$DEMO_DIR/portal.out" 2>&1 &
WORKER_PID=$!
for _ in $(seq 1 300); do [ -f "$DEMO_DIR/portal.ready" ] && break; running "$WORKER_PID" || break; sleep 0.1; done
[ -f "$DEMO_DIR/portal.ready" ] || { cat "$DEMO_DIR/portal.out"; die "the portal's Celery worker did not start"; }
say "portal side ready: a Celery worker consumes galactica.terminus_status and galactica.host_online"

# ---- 5. the daemon -------------------------------------------------------------------------------------------
say "building the daemon (Release)"
dotnet build "$ROOT/src/Terminus.Host" -c Release -v q -nologo >"$DEMO_DIR/build.out" 2>&1 || { tail -30 "$DEMO_DIR/build.out"; die "build failed"; }
DLL=$(find "$ROOT/src/Terminus.Host/bin/Release" -name terminus-daemon.dll | head -1)
HOME=$HOME_DIR env -u TERMINUS_DOT_DIR dotnet "$DLL" >"$DEMO_DIR/daemon.out" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 600); do
  grep -q "Consuming queue $HOST.terminus_jobs" "$DEMO_DIR/daemon.out" && grep -q "Consuming queue $HOST.monitor" "$DEMO_DIR/daemon.out" && break
  running "$DAEMON_PID" || break; sleep 0.1
done
grep -q "Consuming queue $HOST.terminus_jobs" "$DEMO_DIR/daemon.out" || { cat "$DEMO_DIR/daemon.out"; die "the daemon did not start"; }
say "daemon running (pid $DAEMON_PID), configured from $DOT/terminus.env; its log: $DOT/logs/"

submit() {   # jobid, service, kwargs
  $PY "$HARNESS" send-job --host "$HOST" --kwargs "$3" \
    --args "[$1, \"$2\", \"GAL_FORMATION\", \"TEST_GALAXY\", \"SIMU_1\", \"output_00003\"]" >/dev/null || die "could not submit job $1"
  say "portal -> execute_terminus_job($1, '$2', 'GAL_FORMATION', 'TEST_GALAXY', 'SIMU_1', 'output_00003', **$3)"
}
submit 123 density_map '{"xcenter": 0.5, "ycenter": 0.5, "size": [20, "kpc"], "npix": 64, "test": false}'
submit 124 no_such_service '{"test": false}'
submit 125 bash_hello '{"greeting": "hello", "test": true}'
probe=$($PY "$HARNESS" send-probe --host "$HOST") || die "could not send the probe"
say "portal -> test_terminus_server_is_up('$HOST')"

# ---- 6. what the portal received -------------------------------------------------------------------------------
show() {   # jobid: wait for a terminal status, print the sequence
  $PY - "$DEMO_DIR/portal.jsonl" "$1" <<'PYEOF'
import json, sys, time
path, job = sys.argv[1], int(sys.argv[2])
terminal = {"uploaded", "failed", "timed_out"} if job != 125 else {"success", "failed", "timed_out"}
deadline = time.time() + 120
while True:
    try:
        rows = [json.loads(l) for l in open(path) if l.strip()]
    except IOError:
        rows = []
    seq = [r["args"] for r in rows if r.get("task") == "update_terminus_job_status" and r["args"][0] == job]
    if any(s[1] in terminal for s in seq) or time.time() > deadline:
        break
    time.sleep(0.2)
print("portal <- job %d:" % job)
for jobid, status, message in seq:
    print("    %-9s %s" % (status, message))
if not any(s[1] in terminal for s in seq):
    print("    (no terminal status within 120 s)")
    sys.exit(1)
PYEOF
}
rc=0
show 123 || rc=1
if [ -f "$STORAGE/123_density_map.tar.gz" ]; then
  say "the portal's storage received $STORAGE/123_density_map.tar.gz ($(stat -c %s "$STORAGE/123_density_map.tar.gz") bytes):"
  tar -tzvf "$STORAGE/123_density_map.tar.gz" | sed 's/^/    /'
else
  echo "    (no tarball in $STORAGE)"; rc=1
fi
show 124 || rc=1
show 125 || rc=1
$PY - "$DEMO_DIR/portal.jsonl" "$(echo "$probe" | $PY -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')" <<'PYEOF' || rc=1
import json, sys, time
path, probe = sys.argv[1], sys.argv[2]
deadline = time.time() + 30
while time.time() < deadline:
    rows = [json.loads(l) for l in open(path) if l.strip()]
    hit = [r for r in rows if r.get("task") == "update_server_online" and r.get("parent_id") == probe]
    if hit:
        print("portal <- update_server_online(%r): the host is shown online" % hit[0]["args"][0])
        sys.exit(0)
    time.sleep(0.1)
print("portal <- no answer to the probe within 30 s")
sys.exit(1)
PYEOF

say "stopping the daemon (SIGTERM)"
stop_pid "$DAEMON_PID" 60; DAEMON_PID=
grep -E 'Job #12[345]' "$DOT"/logs/terminus-*.log | sed 's/^/    log: /' | head -40
exit $rc
