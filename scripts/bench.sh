#!/usr/bin/env bash
# The benchmarks:   scripts/bench.sh [jobs=20] [service_seconds=0.2]      job overhead, end to end
#                   BASELINE=<git rev> scripts/bench.sh [jobs] [secs]     the same, side by side with another revision
#                   scripts/bench.sh sandbox [jobs] [secs]                this build with its sandbox on, side by side with off
#                   scripts/bench.sh ledger [writes=2000]                 the cost of one ledger write (SQLite)
# Environment: BENCH_BURST=200, BENCH_FLOOD=1000 (0 leaves a scale run out), BENCH_LEDGER_REQUESTS=0 (more floods until this
# many requests in all: the ledger's size per request), BENCH_DAEMON_LOG=<file> (the daemon's log is appended there).
#
# Starts a loopback RabbitMQ and the loopback storage (sshd + rsync) unless they already run, builds the daemon in
# Release, and runs bench/Terminus.Bench against the real daemon process: jobs one at a time (full and test mode),
# then a burst larger than the job slots. Prints per-phase medians/p95 as the portal sees them. With BASELINE, that
# revision is built in a temporary git worktree and measured before and after this build, in the same run.
# Stops what it started.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib/usage.sh"
answer_help "scripts/bench.sh [jobs=20] [service_seconds=0.2] | scripts/bench.sh sandbox [jobs] [secs] | scripts/bench.sh ledger [writes=2000]   (BASELINE=<git rev> for a side-by-side run)" "$@"
SCRIPT_NAME=bench
. "$ROOT/scripts/lib/proc.sh"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export RMQ_DIR=${RMQ_DIR:-/tmp/ci-rabbitmq} RMQ_PLUGINS=${RMQ_PLUGINS:-[].} SSH_DIR=${SSH_DIR:-/tmp/ci-sshd}
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export AMQP_URI=amqp://terminus:terminus-pass@127.0.0.1:5672/terminus SSH_ALIAS=Galactica_storage
STARTED_RMQ=0 STARTED_SSH=0
cleanup() {
  [ "$STARTED_SSH" = 1 ] && "$ROOT/scripts/ci/ssh-down.sh" >/dev/null 2>&1
  [ "$STARTED_RMQ" = 1 ] && "$ROOT/scripts/ci/rmq-down.sh" >/dev/null 2>&1
}
trap cleanup EXIT
. "$ROOT/scripts/lib/packages.sh"
ensure_packages bench rabbitmq-server openssl openssh-server openssh-client rsync || exit 1
if ! listening 5672; then
  STARTED_RMQ=1; "$ROOT/scripts/ci/rmq-up.sh" >/dev/null || { echo "RabbitMQ did not start" >&2; exit 1; }
fi
if ! listening 2222; then
  STARTED_SSH=1; "$ROOT/scripts/ci/ssh-up.sh" >/dev/null || { echo "sshd did not start" >&2; exit 1; }
fi
export STORAGE_DIR=$(cat "$SSH_DIR/storage_home" 2>/dev/null || echo /home/storage)
dotnet build "$ROOT/bench/Terminus.Bench" -c Release -v q -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
BENCH="$ROOT/bench/Terminus.Bench/bin/Release/net10.0/Terminus.Bench.dll"
if [ "${1:-}" = ledger ]; then dotnet "$BENCH" "$@"; exit $?; fi
dotnet build "$ROOT/src/Terminus.Host" -c Release -v q -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
DAEMON="$ROOT/src/Terminus.Host/bin/Release/net10.0/terminus-daemon.dll"
if [ "${1:-}" = sandbox ]; then dotnet "$BENCH" sandbox "$DAEMON" "${2:-20}" "${3:-0.2}"; exit $?; fi
baseline=()
if [ -n "${BASELINE:-}" ]; then
  WT=$(mktemp -d /tmp/terminus-baseline-XXXXXX)
  trap 'cleanup; git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1; rm -rf "$WT"' EXIT
  git -C "$ROOT" worktree add --detach "$WT" "$BASELINE" >/dev/null 2>&1 || { echo "cannot check out $BASELINE" >&2; exit 1; }
  dotnet build "$WT/src/Terminus.Host" -c Release -v q -nologo >/dev/null || { echo "baseline build failed" >&2; exit 1; }
  baseline=("$WT/src/Terminus.Host/bin/Release/net10.0/terminus-daemon.dll")
fi
dotnet "$BENCH" "$DAEMON" "${1:-20}" "${2:-0.2}" "${baseline[@]}"
