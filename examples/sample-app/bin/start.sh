#!/bin/sh
# Starts this release of the sample app in the background.
# The pid goes to <target>/app.pid and the output to <target>/app.log; <target> is GANTRY_TARGET_DIR,
# else the folder two levels above this release (<target>/releases/<version>).
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

if [ -f "$PIDFILE" ] && ours "$(cat "$PIDFILE")"; then
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
