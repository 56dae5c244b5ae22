#!/usr/bin/env bash
# Installs the Terminus daemon and the `terminus` command on a lab machine (run as root, or as the lab user with a
# PREFIX it can write):   scripts/install.sh [PREFIX=/opt/terminus]
#
#   $PREFIX/lib/       terminus-daemon.dll and terminus.dll (dotnet publish, framework-dependent: needs the .NET 10 runtime)
#   $PREFIX/bin/       terminus, terminus-daemon, and 0.7's names terminus_config, terminus_datasource_cfg
#   $BINDIR/           links to those (default /usr/local/bin when writable; BINDIR= to choose, BINDIR=none to skip)
#   $SYSTEMD_DIR/terminus@.service   the unit for `systemctl enable --now terminus@<user>` (default /etc/systemd/system
#                      when writable; SYSTEMD_DIR=none to skip); `terminus config` also writes a one-user unit into ~/.terminus/.
#   the Debian package bubblewrap (the jobs' sandbox), when run as root and it is missing.
# Then, as the lab user: terminus config; terminus check; and start the daemon (systemd, or terminus-daemon in screen).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib/usage.sh"
. "$ROOT/scripts/lib/packages.sh"
answer_help "scripts/install.sh [PREFIX=/opt/terminus]   (environment: BINDIR, SYSTEMD_DIR)" "$@"
PREFIX=${1:-${PREFIX:-/opt/terminus}}
BINDIR=${BINDIR:-/usr/local/bin}
SYSTEMD_DIR=${SYSTEMD_DIR:-/etc/systemd/system}   # "none" to skip the unit
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0
DOTNET=$(command -v dotnet) || { echo "install: the .NET SDK (dotnet) is needed to build; the daemon then needs the .NET 10 runtime" >&2; exit 1; }
DOTNET=$(readlink -f "$DOTNET")

# bwrap sandboxes the jobs (docs/operations.md, "Sandbox"); without it they run unsandboxed (TERMINUS_SANDBOX=auto).
ensure_packages install bubblewrap || echo "install: bubblewrap is not installed: jobs run without the sandbox until root installs it" >&2

echo "install: building into $PREFIX/lib"
mkdir -p "$PREFIX/lib" "$PREFIX/bin"
for project in Terminus.Host Terminus.Config; do
  dotnet publish "$ROOT/src/$project" -c Release -o "$PREFIX/lib" -v q -nologo >/dev/null
done

wrapper() {   # name, command line
  printf '#!/bin/sh\n# Terminus.Actors, installed by scripts/install.sh\nexec %s "$@"\n' "$2" > "$PREFIX/bin/$1"
  chmod 0755 "$PREFIX/bin/$1"
}
wrapper terminus "$DOTNET $PREFIX/lib/terminus.dll"
wrapper terminus-daemon "$DOTNET $PREFIX/lib/terminus-daemon.dll"
wrapper terminus_config "$DOTNET $PREFIX/lib/terminus.dll config"
wrapper terminus_datasource_cfg "$DOTNET $PREFIX/lib/terminus.dll datasource"

if [ "$BINDIR" != none ] && [ -d "$BINDIR" ] && [ -w "$BINDIR" ]; then
  for c in terminus terminus-daemon terminus_config terminus_datasource_cfg; do ln -sfn "$PREFIX/bin/$c" "$BINDIR/$c"; done
  echo "install: commands linked into $BINDIR"
else
  echo "install: add $PREFIX/bin to PATH (BINDIR=$BINDIR not writable or skipped)"
fi

if [ "$SYSTEMD_DIR" != none ] && [ -d "$SYSTEMD_DIR" ] && [ -w "$SYSTEMD_DIR" ]; then
  sed -e "s|/usr/bin/dotnet /opt/terminus/lib/terminus-daemon.dll|$DOTNET $PREFIX/lib/terminus-daemon.dll|" \
    "$ROOT/systemd/terminus@.service" > "$SYSTEMD_DIR/terminus@.service"
  echo "install: $SYSTEMD_DIR/terminus@.service (systemctl daemon-reload; systemctl enable --now terminus@<user>)"
fi
echo "install: done. As the lab user: terminus config, then terminus check."
