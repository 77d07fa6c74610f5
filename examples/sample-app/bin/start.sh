#!/bin/sh
# Starts this release of the sample app in the background.
# The pid goes to <target>/app.pid and the output to <target>/app.log; <target> is GANTRY_TARGET_DIR,
# else the folder two levels above this release (<target>/releases/<version>).
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

if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; then
  echo "already running with pid $(cat "$PIDFILE")"
  exit 0
fi
if [ ! -f "$RELEASE/app.properties" ]; then
  echo "no $RELEASE/app.properties: render config/app.properties.tmpl first" >&2
  exit 2
fi
nohup python3 "$RELEASE/app.py" "$RELEASE/app.properties" >>"$TARGET/app.log" 2>&1 </dev/null &
echo $! >"$PIDFILE"
echo "started $(sed -n 's/^version=//p' "$RELEASE/app.properties") from $RELEASE with pid $!"
