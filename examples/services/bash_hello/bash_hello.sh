#!/bin/bash
# bash_hello: an example Terminus *bash* service (Terminus.Actors contract; 0.7 had none).
#
# Run as `<interpreter> bash_hello.sh <data_path> <data_ref>` with cwd = the job dir (out/ exists)
# and the environment:
#   TERMINUS_DATA_PATH    absolute simulation dir (same as $1)
#   TERMINUS_DATA_REF     snapshot reference, e.g. output_00003, 3 or output_00003;BIG (same as $2)
#   TERMINUS_TEST         1 in test mode, else 0
#   TERMINUS_PARAMS_FILE  JSON file holding the job parameters (an object)
# Writes out/hello.txt: the snapshot dir's files and the parameters. Exits non-zero with a
# message on stderr if the snapshot is missing. Uses bash + coreutils only (python3 is used to
# pretty-print the parameters when available, otherwise the JSON is copied as is).
set -euo pipefail

data_path="${TERMINUS_DATA_PATH:-${1:-}}"
data_ref="${TERMINUS_DATA_REF:-${2:-}}"
test_mode="${TERMINUS_TEST:-0}"
params_file="${TERMINUS_PARAMS_FILE:-}"

die() { echo "bash_hello: $*" >&2; exit 2; }

[ -n "$data_path" ] || die "no data path (TERMINUS_DATA_PATH or \$1)"
[ -d "$data_path" ] || die "simulation data directory '$data_path' not found"
[ -n "$data_ref" ] || die "no snapshot reference (TERMINUS_DATA_REF or \$2)"

# 'output_00003;BIG' -> 'output_00003'; '3' -> 'output_00003'
snap="${data_ref%%;*}"
snap="${snap#"${snap%%[![:space:]]*}"}"; snap="${snap%"${snap##*[![:space:]]}"}"
if [[ "$snap" =~ ^[0-9]{1,5}$ ]]; then
    snap="$(printf 'output_%05d' "$((10#$snap))")"
fi
if [[ ! "$snap" =~ ^[A-Za-z0-9_][A-Za-z0-9_.+-]*$ ]] || [ "$snap" = ".." ]; then
    die "invalid snapshot reference '$data_ref'"
fi
data_path="${data_path%/}"
simu="${data_path##*/}"
snap_dir="$data_path/$snap"
[ -d "$snap_dir" ] || die "snapshot '$snap' not found in $simu"

mkdir -p out
out=out/hello.txt
{
    echo "Hello from bash_hello"
    echo "date (UTC):   $(date -u '+%Y-%m-%d %H:%M:%S')"
    echo "job dir:      ${PWD##*/}"
    echo "bash:         $BASH_VERSION"
    echo "simulation:   $simu"
    echo "data path:    $data_path"
    echo "data ref:     $data_ref"
    echo "snapshot:     $snap"
    echo "test mode:    $test_mode"
    echo
    echo "Files in $snap (bytes, name):"
    found=0
    for f in "$snap_dir"/* "$snap_dir"/.[!.]*; do
        [ -e "$f" ] || continue
        found=1
        if [ -d "$f" ]; then
            printf '  %12s  %s/\n' "-" "${f##*/}"
        else
            printf '  %12s  %s\n' "$(wc -c < "$f" | tr -d ' ')" "${f##*/}"
        fi
    done
    [ "$found" = 1 ] || echo "  (empty)"
    echo
    echo "Parameters (${params_file:-none}):"
    if [ -z "$params_file" ]; then
        echo "  (TERMINUS_PARAMS_FILE not set)"
    elif [ ! -f "$params_file" ]; then
        echo "  (file not found)"
    elif command -v python3 >/dev/null 2>&1 && python3 - "$params_file" <<'EOF'
import json, sys
with open(sys.argv[1]) as fh:
    params = json.load(fh)
if not isinstance(params, dict) or not params:
    print("  %s" % json.dumps(params))
else:
    for key in sorted(params):
        print("  %s = %s" % (key, json.dumps(params[key])))
EOF
    then
        :
    else
        cat "$params_file"
        echo
    fi
} > "$out"

if [ "$test_mode" = "1" ]; then
    echo "bash_hello: test mode" >> "$out"
fi
echo "bash_hello: wrote $out ($(wc -l < "$out" | tr -d ' ') lines) for $simu/$snap"
