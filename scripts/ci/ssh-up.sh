#!/usr/bin/env bash
# Start a throw-away sshd on 127.0.0.1 (no systemd) + an ~/.ssh/config alias for the portal's storage. Idempotent.
# Run as root. Its own host key, a key-only target account, the PID recorded.
#
# What it sets up:
#   - sshd -D on 127.0.0.1:$SSH_PORT, all state in $SSH_DIR (config, host key, client key, known_hosts, log, pid);
#   - the key-only account $SSH_USER; uploads (`rsync f ALIAS:`) land in its home, also written to
#     $SSH_DIR/storage_home (machine-readable, one line);
#   - a managed block "# >>> terminus-ci $SSH_ALIAS >>>" ... "# <<< terminus-ci $SSH_ALIAS <<<" at the top of the
#     invoking user's ~/.ssh/config (the passwd home: ssh ignores $HOME), replaced on every run, with two hosts:
#       $SSH_ALIAS            -> $SSH_USER@127.0.0.1:$SSH_PORT (key only, BatchMode, accept-new, own known_hosts)
#       ${SSH_ALIAS}_refused  -> same, but a port where nothing listens (connection refused at once)
#       ${SSH_ALIAS}_slow     -> same, through scripts/ci/slow-relay.py at 32 KiB/s each way (a slow link)
#   - a real check at the end: rsync of a small file to $SSH_ALIAS:, checksum + removal through ssh.
#
# Environment:
#   SSH_DIR           state dir (default /tmp/ci-sshd); keys are kept while the dir exists
#   SSH_PORT          listen port on 127.0.0.1 (default 2222)
#   SSH_USER          target account that receives uploads (default storage; created if missing, never deleted)
#   SSH_ALIAS         ~/.ssh/config alias (default Galactica_storage)
#   SSH_REFUSED_PORT  port of ${SSH_ALIAS}_refused (default: first port from $SSH_PORT+1 on where nothing listens)
#   SSH_WAIT          max seconds to wait for sshd to answer (default 10)
# Output: last line "ssh-up: sshd ready on 127.0.0.1:<port>, alias <alias> -> <user>@127.0.0.1 (home <dir>) in N s
#         (pid P, SSH_DIR=...)". Files: $SSH_DIR/sshd.pid, $SSH_DIR/storage_home, $SSH_DIR/refused_port.
# Exit: 0 = ready (or already running and re-checked), 1 = failed (reason + sshd log tail on stderr).
# Stop with scripts/ci/ssh-down.sh (same SSH_DIR / SSH_ALIAS).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/usage.sh"
answer_help "scripts/ci/ssh-up.sh   (as root; environment: SSH_DIR, SSH_PORT, SSH_USER, SSH_ALIAS, SSH_REFUSED_PORT, SSH_WAIT)" "$@"
SSH_DIR=${SSH_DIR:-/tmp/ci-sshd}
SSH_PORT=${SSH_PORT:-2222}
SSH_USER=${SSH_USER:-storage}
SSH_ALIAS=${SSH_ALIAS:-Galactica_storage}
SSH_REFUSED_PORT=${SSH_REFUSED_PORT:-}
SSH_WAIT=${SSH_WAIT:-10}

SCRIPT_NAME=ssh-up
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
t0=$(date +%s.%N)
log_tail() { [ -f "$SSH_DIR/sshd.log" ] && { echo "--- $SSH_DIR/sshd.log (tail):"; tail -15 "$SSH_DIR/sshd.log"; } >&2 || true; }

[ "$(id -u)" = 0 ] || die "must run as root (creates the $SSH_USER account and /run/sshd)"
[[ $SSH_PORT =~ ^[0-9]+$ ]] && [ "$SSH_PORT" -ge 1 ] && [ "$SSH_PORT" -le 65535 ] || die "bad SSH_PORT '$SSH_PORT'"
[[ $SSH_ALIAS =~ ^[A-Za-z0-9._-]+$ ]] || die "bad SSH_ALIAS '$SSH_ALIAS' (letters, digits, . _ - only)"
[[ $SSH_DIR =~ ^/[A-Za-z0-9._/-]+$ ]] || die "SSH_DIR must be an absolute path without spaces (it goes into ~/.ssh/config): '$SSH_DIR'"
[[ $SSH_USER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "bad SSH_USER '$SSH_USER'"

# ---- packages (once) ---------------------------------------------------------------------------------------
. "$(dirname "${BASH_SOURCE[0]}")/../lib/packages.sh"
ensure_packages ssh-up openssh-server openssh-client rsync || exit 1
t0=$(date +%s.%N)   # timing excludes the install

# ---- state dir, keys ---------------------------------------------------------------------------------------
mkdir -p "$SSH_DIR"; chmod 0700 "$SSH_DIR"
install -d -m 0755 /run/sshd              # privilege-separation dir; sshd (even -t) refuses to start without it
[ -s "$SSH_DIR/host_ed25519" ] || { rm -f "$SSH_DIR/host_ed25519"* "$SSH_DIR/known_hosts"
  ssh-keygen -q -t ed25519 -N '' -C terminus-ci-sshd-host -f "$SSH_DIR/host_ed25519"; }
[ -s "$SSH_DIR/id_ed25519" ] || { rm -f "$SSH_DIR/id_ed25519"*
  ssh-keygen -q -t ed25519 -N '' -C "terminus-ci:$SSH_DIR" -f "$SSH_DIR/id_ed25519"; }

# ---- target account (key only) -----------------------------------------------------------------------------
id "$SSH_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash -c 'terminus CI upload target' "$SSH_USER"
# useradd leaves the password locked ('!'); with UsePAM no, sshd then rejects even key logins. '*' = no password,
# but not locked. Only touch a locked field, never a real password hash.
[[ $(getent shadow "$SSH_USER" | cut -d: -f2) == '!'* ]] && usermod -p '*' "$SSH_USER"
H=$(getent passwd "$SSH_USER" | cut -d: -f6)
G=$(id -gn "$SSH_USER")
[ -n "$H" ] && [ "$H" != / ] || die "account $SSH_USER has no usable home directory"
[ -d "$H" ] || install -d -o "$SSH_USER" -g "$G" -m 0755 "$H"
chmod go-w "$H"                           # StrictModes: home must not be group/world-writable
install -d -o "$SSH_USER" -g "$G" -m 0700 "$H/.ssh"
# authorized_keys: one line per state dir, tagged "terminus-ci:<dir>", so instances with other SSH_DIRs keep working.
# Lines of other instances whose dir is gone (or whose key changed) are dropped; foreign lines are kept.
ak=$H/.ssh/authorized_keys
tag="terminus-ci:$SSH_DIR"
{
  if [ -f "$ak" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        *" terminus-ci:"/*)
          d=${line##* terminus-ci:}
          if [ "$d" != "$SSH_DIR" ] && [ -f "$d/id_ed25519.pub" ] && \
             [ "$(cut -d' ' -f1,2 "$d/id_ed25519.pub")" = "$(echo "$line" | cut -d' ' -f1,2)" ]; then
            echo "$line"
          fi ;;
        *) echo "$line" ;;
      esac
    done < "$ak"
  fi
  echo "$(cut -d' ' -f1,2 "$SSH_DIR/id_ed25519.pub") $tag"
} > "$ak.tmp.$$"
chown "$SSH_USER:$G" "$ak.tmp.$$"; chmod 0600 "$ak.tmp.$$"; mv -f "$ak.tmp.$$" "$ak"
echo "$H" > "$SSH_DIR/storage_home"

# ---- sshd ----------------------------------------------------------------------------------------------------
write_config() {
  cat > "$SSH_DIR/sshd_config" <<CONF
# written by terminus scripts/ci/ssh-up.sh (throw-away, loopback only)
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $SSH_DIR/host_ed25519
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
UseDNS no
PrintMotd no
X11Forwarding no
# parallel uploads from the daemon's step pools: don't start dropping unauthenticated connections at 10
MaxStartups 100:30:200
MaxSessions 50
LogLevel INFO
CONF
  [ -x /usr/lib/openssh/sftp-server ] && echo "Subsystem sftp /usr/lib/openssh/sftp-server" >> "$SSH_DIR/sshd_config"
  return 0
}
pid=
[ -f "$SSH_DIR/sshd.pid" ] && pid=$(cat "$SSH_DIR/sshd.pid" 2>/dev/null || true)
if [ -n "$pid" ] && is_proc "$pid" sshd; then
  ss -ltnpH "sport = :$SSH_PORT" 2>/dev/null | grep -q "pid=$pid," || \
    die "the sshd of $SSH_DIR (pid $pid) runs, but not on port $SSH_PORT (see $SSH_DIR/sshd_config); run ssh-down.sh first"
  echo "ssh-up: sshd already running (pid $pid), re-checking"
else
  rm -f "$SSH_DIR/sshd.pid"
  if listening "$SSH_PORT"; then
    echo "ssh-up: port $SSH_PORT is already in use by a process not recorded in $SSH_DIR:" >&2
    ss -ltnpH "sport = :$SSH_PORT" >&2 || true
    exit 1
  fi
  write_config
  /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" || die "sshd -t rejected $SSH_DIR/sshd_config"
  # -D: no fork, so $! is the listener; -E: log file (there is no syslog). setsid: own session, so the caller's
  # process group / terminal signals don't reach it; stdio detached, so `$(ssh-up.sh)` or a pipe never hangs.
  setsid /usr/sbin/sshd -D -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log" </dev/null >/dev/null 2>&1 &
  pid=$!
  ok=0
  for _ in $(seq 1 $((SSH_WAIT * 10))); do
    if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT && head -c 4 <&3 | grep -q SSH-" 2>/dev/null; then ok=1; break; fi
    running "$pid" || break
    sleep 0.1
  done
  # sshd -D writes its own PidFile once bound; normally it is $!, but trust sshd (setsid may have forked)
  if ! is_proc "$pid" sshd; then pid=$(cat "$SSH_DIR/sshd.pid" 2>/dev/null || true); fi
  if [ "$ok" != 1 ] || [ -z "$pid" ] || ! is_proc "$pid" sshd; then
    [ -n "$pid" ] && is_proc "$pid" sshd && kill -KILL "$pid" 2>/dev/null
    rm -f "$SSH_DIR/sshd.pid"; log_tail
    die "sshd did not answer on 127.0.0.1:$SSH_PORT within $SSH_WAIT s"
  fi
  echo "$pid" > "$SSH_DIR/sshd.pid"
fi

# ---- refused port ----------------------------------------------------------------------------------------------
if [ -n "$SSH_REFUSED_PORT" ]; then
  listening "$SSH_REFUSED_PORT" && die "SSH_REFUSED_PORT=$SSH_REFUSED_PORT: something listens there"
  refused=$SSH_REFUSED_PORT
else
  refused=
  for p in $(seq $((SSH_PORT + 1)) $((SSH_PORT + 50))); do
    [ "$p" -le 65535 ] && ! listening "$p" && { refused=$p; break; }
  done
  [ -n "$refused" ] || die "no free port in $((SSH_PORT + 1))..$((SSH_PORT + 50)) for ${SSH_ALIAS}_refused"
fi
echo "$refused" > "$SSH_DIR/refused_port"

# ---- client side: managed block at the top of the passwd home's ~/.ssh/config ------------------------------
me=$(id -un)
UHOME=$(getent passwd "$me" | cut -d: -f6)
[ -n "$UHOME" ] || die "no passwd home for $me"
install -d -m 0700 "$UHOME/.ssh"
cfg=$UHOME/.ssh/config
[ -e "$cfg" ] || { touch "$cfg"; chmod 0600 "$cfg"; }
SLOW_RELAY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/slow-relay.py
host_block() {  # alias port [ProxyCommand line]
  cat <<CONF
Host $1
    HostName 127.0.0.1
    Port $2${3:+
    $3}
    User $SSH_USER
    IdentityFile $SSH_DIR/id_ed25519
    IdentitiesOnly yes
    BatchMode yes
    StrictHostKeyChecking accept-new
    UserKnownHostsFile $SSH_DIR/known_hosts
    ConnectTimeout 5
    LogLevel ERROR
CONF
}
(
  flock -w 30 9 || die "could not lock $cfg"
  # drop our old block(s) (also the guide's "# >>> ci ALIAS >>>" style) by exact marker lines, keep the rest
  rest=$(awk -v a="$SSH_ALIAS" '
    $0 == "# >>> terminus-ci " a " >>>" || $0 == "# >>> ci " a " >>>" { skip = 1; next }
    skip && ($0 == "# <<< terminus-ci " a " <<<" || $0 == "# <<< ci " a " <<<") { skip = 0; next }
    !skip' "$cfg")
  {
    echo "# >>> terminus-ci $SSH_ALIAS >>>"
    echo "# managed by scripts/ci/ssh-up.sh (SSH_DIR=$SSH_DIR), removed by ssh-down.sh; first match wins in ssh_config,"
    echo "# so this sits at the top; the 'Host *' below puts whatever follows back into global scope"
    host_block "$SSH_ALIAS" "$SSH_PORT"
    host_block "${SSH_ALIAS}_refused" "$refused"
    host_block "${SSH_ALIAS}_slow" "$SSH_PORT" "ProxyCommand /usr/bin/python3 $SLOW_RELAY %h %p 32768"
    echo "Host *"
    echo "# <<< terminus-ci $SSH_ALIAS <<<"
    [ -n "$rest" ] && printf '%s\n' "$rest"
  } > "$cfg.tmp.$$"
  cat "$cfg.tmp.$$" > "$cfg"   # in place: keeps owner, mode, symlinks
  rm -f "$cfg.tmp.$$"
) 9<"$cfg"
chmod go-w "$cfg"

# ---- real check: rsync round trip through the alias ---------------------------------------------------------
probe=$(mktemp "$SSH_DIR/probe.XXXXXX")
trap 'rm -f "$probe"' EXIT
head -c 4096 /dev/urandom > "$probe"
name=".terminus-ci-probe-$$-$RANDOM"
if ! out=$(timeout 30 rsync -a --timeout=20 "$probe" "$SSH_ALIAS:$name" 2>&1); then
  log_tail; die "rsync to $SSH_ALIAS: failed: $out"
fi
want=$(sha256sum < "$probe" | cut -d' ' -f1)
if ! got=$(timeout 20 ssh "$SSH_ALIAS" "sha256sum < '$name' && rm -f -- '$name'" 2>&1); then
  log_tail; die "ssh $SSH_ALIAS failed: $got"
fi
[ "${got%% *}" = "$want" ] || die "checksum mismatch after upload: local $want, remote ${got%% *}"
# the _refused alias must fail fast with "Connection refused"
if out=$(timeout 10 ssh "${SSH_ALIAS}_refused" true 2>&1) || [[ $out != *"Connection refused"* ]]; then
  echo "ssh-up: warning: ${SSH_ALIAS}_refused did not give 'Connection refused': ${out:-<connected>}" >&2
fi
echo "ssh-up: sshd ready on 127.0.0.1:$SSH_PORT, alias $SSH_ALIAS -> $SSH_USER@127.0.0.1 (home $H) in $(since "$t0") s (pid $pid, SSH_DIR=$SSH_DIR)"
