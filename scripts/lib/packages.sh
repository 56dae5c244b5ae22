# Sourced by the scripts that need Debian packages (test.sh, demo.sh, bench.sh, ci/*-up.sh).
#
# ensure_packages TAG PACKAGE...
#   Installs those of the packages that are not installed yet; does nothing (and needs no root) when all are.
#   On a fresh machine the package lists may be absent or stale, so it runs apt-get update first, retried on a
#   busy lock or a transient mirror error. apt's output is shown only when something fails. Returns non-zero,
#   with the reason on stderr, when it cannot install.
ensure_packages() {
  local tag=$1; shift
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$tag: packages missing (${missing[*]}): run as root or install them first" >&2; return 1
  fi
  echo "$tag: installing ${missing[*]} (once)"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3) log attempt
  log=$(mktemp /tmp/ensure-packages.XXXXXX)
  for attempt in 1 2 3; do
    timeout 600 "${apt[@]}" update -qq >"$log" 2>&1 && break
    if [ "$attempt" = 3 ]; then
      tail -20 "$log" >&2; rm -f "$log"; echo "$tag: apt-get update failed" >&2; return 1
    fi
    echo "$tag: apt-get update failed (attempt $attempt), retrying in 15 s"; sleep 15
  done
  if ! timeout 900 "${apt[@]}" install -y -qq "${missing[@]}" >"$log" 2>&1; then
    tail -30 "$log" >&2; rm -f "$log"; echo "$tag: apt-get install ${missing[*]} failed" >&2; return 1
  fi
  rm -f "$log"
}
