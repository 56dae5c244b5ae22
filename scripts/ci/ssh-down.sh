#!/usr/bin/env bash
# Stop what ssh-up.sh started, by recorded PID only, and remove its ~/.ssh/config block.
# The sshd in $SSH_DIR/sshd.pid (only if it still is an sshd) and its per-connection children (its direct children,
# e.g. an upload still in flight) get SIGTERM; after 10 s, SIGKILL. "Alive" ignores zombies (PID 1 reaps late).
# Then the "# >>> terminus-ci $SSH_ALIAS >>>" block (and a guide-style "# >>> ci $SSH_ALIAS >>>" block) is removed
# from the invoking user's ~/.ssh/config (passwd home). Keeps $SSH_DIR (keys) and the $SSH_USER account.
# Environment: SSH_DIR (default /tmp/ci-sshd), SSH_ALIAS (default Galactica_storage) -- the same as for ssh-up.sh.
# Never fails (exit 0), prints what it did.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
SSH_DIR=${SSH_DIR:-/tmp/ci-sshd}
SSH_ALIAS=${SSH_ALIAS:-Galactica_storage}
SCRIPT_NAME=ssh-down
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
t0=$(date +%s.%N)
did=()

if [ -f "$SSH_DIR/sshd.pid" ]; then
  pid=$(cat "$SSH_DIR/sshd.pid" 2>/dev/null)
  if [[ $pid =~ ^[0-9]+$ ]] && is_proc "$pid" sshd; then
    read -ra kids <<<"$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -s ' \n' ' ')"
    pids=("$pid" "${kids[@]}")
    kill -TERM "${pids[@]}" 2>/dev/null
    for _ in $(seq 1 100); do   # <= 10 s
      alive=(); for p in "${pids[@]}"; do running "$p" && alive+=("$p"); done
      [ ${#alive[@]} -eq 0 ] && break
      sleep 0.1
    done
    if [ ${#alive[@]} -gt 0 ]; then
      echo "ssh-down: pid(s) ${alive[*]} still alive after 10 s, SIGKILL" >&2
      kill -KILL "${alive[@]}" 2>/dev/null
      for _ in $(seq 1 30); do
        alive2=(); for p in "${alive[@]}"; do running "$p" && alive2+=("$p"); done
        [ ${#alive2[@]} -eq 0 ] && break; sleep 0.1
      done
    fi
    n=${#kids[@]}
    did+=("stopped sshd pid $pid$( [ "$n" -gt 0 ] && echo " (+$n connection process(es))")")
  else
    did+=("pid ${pid:-?} in $SSH_DIR/sshd.pid is not a running sshd, left alone")
  fi
  rm -f "$SSH_DIR/sshd.pid"
fi
# leftover listener on the configured port that is not ours: report, never touch
port=$(awk '$1 == "Port" {print $2; exit}' "$SSH_DIR/sshd_config" 2>/dev/null)
if [ -n "$port" ] && listening "$port"; then
  echo "ssh-down: note: something (not recorded in $SSH_DIR) still listens on port $port:" >&2
  ss -ltnpH "sport = :$port" >&2
fi

# ~/.ssh/config block(s) of this alias
UHOME=$(getent passwd "$(id -un)" | cut -d: -f6)
cfg=$UHOME/.ssh/config
if [ -n "$UHOME" ] && [ -f "$cfg" ] && \
   grep -qxF -e "# >>> terminus-ci $SSH_ALIAS >>>" -e "# >>> ci $SSH_ALIAS >>>" "$cfg" 2>/dev/null; then
  (
    flock -w 30 9 || { echo "ssh-down: could not lock $cfg, block left in place" >&2; exit 0; }
    rest=$(awk -v a="$SSH_ALIAS" '
      $0 == "# >>> terminus-ci " a " >>>" || $0 == "# >>> ci " a " >>>" { skip = 1; next }
      skip && ($0 == "# <<< terminus-ci " a " <<<" || $0 == "# <<< ci " a " <<<") { skip = 0; next }
      !skip' "$cfg") || exit 0
    if [ -n "$rest" ]; then
      printf '%s\n' "$rest" > "$cfg.tmp.$$"
      cat "$cfg.tmp.$$" > "$cfg"   # in place: keeps owner, mode, symlinks
      rm -f "$cfg.tmp.$$"
    else
      : > "$cfg"                   # only our block was in it
      [ -L "$cfg" ] || rm -f "$cfg"
    fi
  ) 9<"$cfg"
  did+=("removed alias $SSH_ALIAS(+_refused) from $cfg")
fi

[ ${#did[@]} -eq 0 ] && did=("nothing to do (no $SSH_DIR/sshd.pid, no $SSH_ALIAS block)")
msg=$(printf '%s; ' "${did[@]}")
echo "ssh-down: ${msg%; } in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
exit 0
