#!/bin/sh
# Stops the sample app whose pid is in <target>/app.pid, if it is running; waits up to 10s, then kills it.
# A pid that now belongs to another program is left alone.
set -eu
RELEASE=$(cd "$(dirname "$0")/.." && pwd -P)
TARGET=${GANTRY_TARGET_DIR:-$(cd "$RELEASE/../.." && pwd -P)}
TARGET_REAL=$(cd "$TARGET" && pwd -P)
PIDFILE="$TARGET/app.pid"

# kill -0 also succeeds for a process that has exited but not yet been reaped; /proc tells them apart.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$state" != Z ] && [ "$state" != X ]
  fi
}

# A pid file outlives its process, and its number may since have gone to another program: the pid is
# this app only while it runs app.py from one of this target's releases.
command_of() {
  if [ -r "/proc/$1/cmdline" ]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
  else
    ps -p "$1" -o args= 2>/dev/null
  fi
}
ours() {
  alive "$1" || return 1
  case "$(command_of "$1")" in
    *"$TARGET_REAL/releases/"*"/app.py"*) return 0 ;;
    *) return 1 ;;
  esac
}

if [ ! -f "$PIDFILE" ]; then
  echo "not running (no $PIDFILE)"
  exit 0
fi
PID=$(cat "$PIDFILE")
if alive "$PID" && ! ours "$PID"; then
  echo "not running (pid $PID now belongs to another program, left alone: $(command_of "$PID"))"
elif alive "$PID"; then
  kill "$PID" 2>/dev/null || true
  i=0
  while alive "$PID" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  if alive "$PID"; then
    kill -9 "$PID" 2>/dev/null || true
  fi
  echo "stopped pid $PID"
else
  echo "not running (pid $PID is gone)"
fi
rm -f "$PIDFILE"
