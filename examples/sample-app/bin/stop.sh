#!/bin/sh
# Stops the sample app whose pid is in <target>/app.pid, if it is running; waits up to 10s, then kills it.
set -eu
RELEASE=$(cd "$(dirname "$0")/.." && pwd -P)
TARGET=${GANTRY_TARGET_DIR:-$(cd "$RELEASE/../.." && pwd -P)}
PIDFILE="$TARGET/app.pid"

if [ ! -f "$PIDFILE" ]; then
  echo "not running (no $PIDFILE)"
  exit 0
fi
PID=$(cat "$PIDFILE")
if kill -0 "$PID" 2>/dev/null; then
  kill "$PID"
  i=0
  while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  if kill -0 "$PID" 2>/dev/null; then
    kill -9 "$PID"
  fi
  echo "stopped pid $PID"
else
  echo "not running (pid $PID is gone)"
fi
rm -f "$PIDFILE"
