#!/bin/sh
#SBATCH --job-name=terminus-anais-123
#SBATCH -N 4
#SBATCH -n 64
#SBATCH --time=00-00:30
#SBATCH --output=stdout.log
#SBATCH --error=stderr.log
#SBATCH --open-mode=append
# Terminus job 123 (service density_map), written by terminus-daemon: the request is in terminus_request.json
# The sandbox (TERMINUS_SANDBOX=on): the runner runs inside bwrap where bwrap works on this node; elsewhere the job fails.
note() { printf '%s - WARNING - %s\n' "$(date '+%Y-%m-%d %H:%M:%S,000')" "$1" >>'/data/terminus/jobs/123_density_map/out/job.log'; echo "terminus: $1" >&2; }
if ! command -v bwrap >/dev/null 2>&1; then
  why='bwrap is not installed on this node'
elif ! bwrap --unshare-user --cap-drop ALL --dev-bind / / --tmpfs /tmp -- /bin/true 2>/dev/null; then
  why='bwrap does not work on this node'
else
  set -- --unshare-user --cap-drop ALL --dev-bind / /
  if mkdir -p -m 700 '/data/terminus/jobs/.terminus-tmp/123_density_map'; then set -- "$@" --bind '/data/terminus/jobs/.terminus-tmp/123_density_map' '/tmp'; else set -- "$@" --tmpfs '/tmp'; fi
  set -- "$@" --ro-bind-try '/archive/orion/output_00001' '/archive/orion/output_00001'
  set -- "$@" --ro-bind-try '/data/terminus/data' '/data/terminus/data'
  [ -d '/data/terminus/jobs' ] && set -- "$@" --tmpfs '/data/terminus/jobs'
  [ -d '/home/lab/.terminus' ] && set -- "$@" --tmpfs '/home/lab/.terminus'
  set -- "$@" --ro-bind-try '/home/lab/services' '/home/lab/services'
  set -- "$@" --bind '/data/terminus/jobs/123_density_map' '/data/terminus/jobs/123_density_map'
  exec bwrap "$@" -- '/opt/conda/bin/python3' '/data/terminus/jobs/123_density_map/terminus_runner.py' '/data/terminus/jobs/123_density_map/terminus_request.json'
fi
note "the job was not run: TERMINUS_SANDBOX=on and $why"
exit 71
