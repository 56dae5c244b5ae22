#!/bin/sh
#SBATCH --job-name=terminus-anais-123
#SBATCH -N 4
#SBATCH -n 64
#SBATCH --time=00-00:30
#SBATCH --output=stdout.log
#SBATCH --error=stderr.log
#SBATCH --open-mode=append
# Terminus job 123 (service density_map), written by terminus-daemon: the request is in terminus_request.json
exec '/opt/conda/bin/python3' '/data/terminus/jobs/123_density_map/terminus_runner.py' '/data/terminus/jobs/123_density_map/terminus_request.json'
