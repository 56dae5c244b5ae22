#!/usr/bin/env bash
# THE test command of Terminus.Actors:   scripts/test.sh [extra `dotnet test` args, e.g. --filter Category=Unit]
#
# On a fresh Debian 12 machine, as root: installs the system packages the integration tests need (once),
# starts a throw-away loopback RabbitMQ (scripts/ci/rmq-up.sh) unless one already listens on 127.0.0.1:5672,
# runs `dotnet test Terminus.Actors.sln`, stops only the broker it started, and prints as its LAST line
#     N passed, M failed
# Exit code: 0 only if every test passed and at least one test ran.
#
# Environment knobs: TEST_TIMEOUT (default 80m, for the whole `dotnet test`), RMQ_DIR (default /tmp/ci-rabbitmq),
# RMQ_PLUGINS (default '[].', i.e. no management plugin).
# Exported to the tests:
#   TERMINUS_IT_AMQP_URI   amqp://terminus:terminus-pass@127.0.0.1:5672/terminus   (also AMQP_URI, for the harness)
#   TERMINUS_IT_PYTHON     /usr/bin/python3 (Debian python, the one that can import celery)
#   TERMINUS_IT_HARNESS    <repo>/test/harness/galactica_portal.py   (see test/harness/README.md)
#   TERMINUS_IT_RMQ_CTL    <repo>/scripts/ci/rmq-ctl.sh               (rabbitmqctl for this broker)
#   TERMINUS_IT_RMQ_UP / TERMINUS_IT_RMQ_DOWN   <repo>/scripts/ci/rmq-{up,down}.sh (broker-restart tests:
#                          rmq-down.sh, then RMQ_KEEP_STATE=1 rmq-up.sh keeps queues and persistent messages)
#   TERMINUS_IT_AMQPS_PORT / TERMINUS_IT_TLS_DIR   the broker's AMQPS listener on 127.0.0.1 and its certificates
#                          (ca.pem/ca.key, server.pem/server.key: names DNS:localhost; made by rmq-up.sh with openssl)
#   TERMINUS_IT_RMQ_OWNED  1 if this script started the broker, 0 if it was already running (then don't stop it)
#   TERMINUS_IT_SSH_ALIAS  Galactica_storage: a loopback sshd + rsync storage account (scripts/ci/ssh-up.sh) in the
#                          daemon user's ~/.ssh/config; <alias>_refused points at a closed port
#   TERMINUS_IT_STORAGE_DIR  where uploads land (the storage account's home)
#   TERMINUS_IT_SSH_UP / TERMINUS_IT_SSH_DOWN   <repo>/scripts/ci/ssh-{up,down}.sh (storage outage tests)
#   TERMINUS_IT_CONSUMER_TIMEOUT_MS  the broker's consumer_timeout (15 s here, RabbitMQ's default is 30 min)
#   (SLURM)                a single-node cluster (slurm-up.sh, accounting on, EnforcePartLimits=ALL): sbatch,
#                          squeue, sacct, scontrol and scancel on PATH for the daemon under test
#   TERMINUS_IT_PYTHON2    a Python 2.7 (pyenv's on these machines): services may be written for Python 2.7
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib/usage.sh"
answer_help "scripts/test.sh [dotnet test arguments, e.g. --filter FullyQualifiedName~JobActor]" "$@"
SCRIPT_NAME=test.sh
. "$ROOT/scripts/lib/proc.sh"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export HOME=${HOME:-/root}

# System packages needed by the tests (one list). prometheus: the metrics test starts the real scraper itself (by PID).
# iproute2 (ss) and procps (ps) are used by scripts/ci/*.sh; they are present on a normal Debian install.
APT_PACKAGES="rabbitmq-server openssl python3-celery iproute2 procps openssh-server openssh-client rsync slurm-wlm munge slurmdbd mariadb-server screen bubblewrap prometheus"

TEST_TIMEOUT=${TEST_TIMEOUT:-80m}
export RMQ_DIR=${RMQ_DIR:-/tmp/ci-rabbitmq}
export RMQ_PLUGINS=${RMQ_PLUGINS:-[].}
# A short consumer_timeout (RabbitMQ's default is 30 min): any delivery the daemon held unacked longer would close
# its channel. Exported so that broker restarts by the tests keep it.
export RMQ_CONSUMER_TIMEOUT_MS=${RMQ_CONSUMER_TIMEOUT_MS:-15000}
export TERMINUS_IT_CONSUMER_TIMEOUT_MS=$RMQ_CONSUMER_TIMEOUT_MS
PY=/usr/bin/python3
HARNESS=$ROOT/test/harness/galactica_portal.py
AMQP=amqp://terminus:terminus-pass@127.0.0.1:5672/terminus

say() { echo "test.sh: $*"; }
STARTED_RMQ=0
STARTED_SSH=0
STARTED_SLURM=0
TEST_PID=
cleanup() {
  if [ -n "$TEST_PID" ]; then   # interrupted while dotnet test runs: stop it (timeout forwards to its group)
    kill -TERM "$TEST_PID" 2>/dev/null
    wait "$TEST_PID" 2>/dev/null   # bounded: timeout --kill-after sends SIGKILL 30 s after the TERM
    TEST_PID=
  fi
  if [ "$STARTED_SLURM" = 1 ]; then
    STARTED_SLURM=0
    timeout 60 "$ROOT/scripts/ci/slurm-down.sh" || true
  fi
  if [ "$STARTED_SSH" = 1 ]; then
    STARTED_SSH=0
    timeout 30 "$ROOT/scripts/ci/ssh-down.sh" || true
  fi
  if [ "$STARTED_RMQ" = 1 ]; then
    STARTED_RMQ=0
    timeout 60 "$ROOT/scripts/ci/rmq-down.sh" || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
setup_failed() {   # message
  echo "test.sh: ERROR: $*" >&2
  cleanup
  echo "0 passed, 1 failed"   # the set-up failing is the failure
  exit 1
}
t_start=$SECONDS

# ---- 1. system packages (apt-get update + install only when something is missing) ----------------------
. "$ROOT/scripts/lib/packages.sh"
# shellcheck disable=SC2086  # APT_PACKAGES is a list of words
ensure_packages test.sh $APT_PACKAGES || setup_failed "cannot install the packages the tests need"
$PY -c 'import celery, kombu, amqp' 2>/dev/null || setup_failed "$PY cannot import celery (package python3-celery)"
command -v dotnet >/dev/null || setup_failed "dotnet (.NET SDK 10) is not on PATH"
say "packages ok ($((SECONDS - t_start)) s)"

# ---- 2. RabbitMQ ----------------------------------------------------------------------------------------
if listening 5672; then
  say "a broker already listens on 127.0.0.1:5672: using it and leaving it running"
  export TERMINUS_IT_RMQ_OWNED=0
else
  STARTED_RMQ=1
  timeout 180 "$ROOT/scripts/ci/rmq-up.sh" || setup_failed "RabbitMQ did not start"
  export TERMINUS_IT_RMQ_OWNED=1
fi
export AMQP_URI=$AMQP
timeout 60 $PY "$HARNESS" ping >/dev/null || setup_failed "cannot log in to ${AMQP/terminus-pass/***}"

# ---- 3. the portal's storage: sshd + rsync on loopback, alias Galactica_storage -------------------------
export SSH_DIR=${SSH_DIR:-/tmp/ci-sshd}
STARTED_SSH=1
timeout 120 "$ROOT/scripts/ci/ssh-up.sh" || setup_failed "the loopback sshd did not start"
export TERMINUS_IT_SSH_ALIAS=${SSH_ALIAS:-Galactica_storage}
export TERMINUS_IT_SSH_UP=$ROOT/scripts/ci/ssh-up.sh TERMINUS_IT_SSH_DOWN=$ROOT/scripts/ci/ssh-down.sh
TERMINUS_IT_STORAGE_DIR=$(cat "$SSH_DIR/storage_home") || setup_failed "ssh-up.sh did not record the storage home"
export TERMINUS_IT_STORAGE_DIR

# ---- 4. a single-node SLURM cluster with accounting (scripts/ci/slurm-up.sh) -----------------------------
export SLURM_DIR=${SLURM_DIR:-/tmp/ci-slurm}
STARTED_SLURM=1
timeout 180 "$ROOT/scripts/ci/slurm-up.sh" || setup_failed "the loopback SLURM cluster did not start"

# ---- 4b. interpreters the services may use ------------------------------------------------------------------
if [ -z "${TERMINUS_IT_PYTHON2:-}" ]; then
  for p in /root/.pyenv/versions/2.7*/bin/python2.7 /usr/bin/python2.7 /usr/local/bin/python2.7; do
    [ -x "$p" ] && { TERMINUS_IT_PYTHON2=$p; break; }
  done
fi
[ -n "${TERMINUS_IT_PYTHON2:-}" ] && export TERMINUS_IT_PYTHON2 || say "WARNING: no Python 2.7 found: the Python 2.7 runner test will fail"

# ---- 5. dotnet test -------------------------------------------------------------------------------------
export TERMINUS_IT_AMQP_URI=$AMQP
export TERMINUS_IT_PYTHON=$PY
export TERMINUS_IT_HARNESS=$HARNESS
export TERMINUS_IT_RMQ_CTL=$ROOT/scripts/ci/rmq-ctl.sh
export TERMINUS_IT_RMQ_UP=$ROOT/scripts/ci/rmq-up.sh
export TERMINUS_IT_RMQ_DOWN=$ROOT/scripts/ci/rmq-down.sh
export TERMINUS_IT_AMQPS_PORT=${RMQ_TLS_PORT:-5671} TERMINUS_IT_TLS_DIR=$RMQ_DIR/tls
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cd "$ROOT" || setup_failed "cannot cd to $ROOT"
log=$(mktemp)
say "dotnet test Terminus.Actors.sln $* (timeout $TEST_TIMEOUT)"
# Run in the background and `wait`, so that SIGTERM/SIGINT to this script are handled at once (bash defers traps
# while a foreground command runs). `timeout` puts dotnet in its own process group and, on expiry or on a
# forwarded signal, signals that whole group (test hosts and harness processes they spawned).
# stdin from /dev/null: no terminal handling by dotnet (it would get SIGTTOU in a terminal).
timeout --kill-after=30 "$TEST_TIMEOUT" dotnet test "$ROOT/Terminus.Actors.sln" "$@" </dev/null >"$log" 2>&1 &
TEST_PID=$!
tail -n +1 -s 0.2 -f --pid="$TEST_PID" "$log" &   # stream the output; tail ends after dotnet test (final read)
tail_pid=$!
wait "$TEST_PID"
rc=$?
TEST_PID=
wait "$tail_pid" 2>/dev/null
read -r passed failed skipped total < <(
  grep -aoE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+, Total: +[0-9]+' "$log" |
  awk -F'[:,] *' '{f+=$2; p+=$4; s+=$6; t+=$8} END {print p+0, f+0, s+0, t+0}')
rm -f "$log"
# A timeout, a build error or a crashed test host fails the run even when every test that ran passed: the
# closing line counts it as one failure, so that it never reads "0 failed" on a failed run.
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "test.sh: ERROR: dotnet test timed out after $TEST_TIMEOUT (counted as 1 failure)" >&2
  failed=$((failed + 1))
elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: ERROR: dotnet test exited $rc: build or test host failure (counted as 1 failure)" >&2
  failed=1
fi
if [ "$rc" -eq 0 ] && [ "$total" -eq 0 ]; then echo "test.sh: ERROR: no test ran (counted as 1 failure)" >&2; rc=1; failed=1; fi
if [ "$rc" -eq 0 ] && [ "$failed" -gt 0 ]; then rc=1; fi

cleanup   # before the summary, so that the summary really is the last line
say "total $((SECONDS - t_start)) s, dotnet test exit code $rc, $skipped skipped"
echo "$passed passed, $failed failed"
exit "$rc"
