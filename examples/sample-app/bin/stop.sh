#!/bin/sh
# Stops the sample app whose pid is in <target>/app.pid, if it is running; waits up to 10s, then kills it.
set -eu
RELEASE=$(cd "$(dirname "$0")/.." && pwd -P)
TARGET=${GANTRY_TARGET_DIR:-$(cd "$RELEASE/../.." && pwd -P)}
PIDFILE="$TARGET/app.pid"

# kill -0 also succeeds for a process that has exited but not yet been reaped; /proc tells them apart.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$state" != Z ] && [ "$state" != X ]
  fi
}

if [ ! -f "$PIDFILE" ]; then
  echo "not running (no $PIDFILE)"
  exit 0
fi
PID=$(cat "$PIDFILE")
if alive "$PID"; then
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
