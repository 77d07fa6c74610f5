# Sourced by ./gantry and ./run-tests: finds a JDK 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm, then java on the PATH.

# The major version of the JDK at $1, or 0 if there is none.
gantry_jdk_major() {
  local home=$1 version
  [ -x "$home/bin/java" ] || { echo 0; return; }
  if [ -f "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$version" in
    1.*) version=${version#1.} ;;
  esac
  version=${version%%[!0-9]*}
  echo "${version:-0}"
}

gantry_find_jdk() {
  local candidate best="" best_major=0 major
  if [ -n "${JAVA_HOME:-}" ] && [ "$(gantry_jdk_major "$JAVA_HOME")" -ge 21 ]; then
    export JAVA_HOME
    return 0
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -d "$candidate" ] || continue
    major=$(gantry_jdk_major "$candidate")
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate
      best_major=$major
    fi
  done
  if [ -z "$best" ] && command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if [ "$(gantry_jdk_major "$candidate")" -ge 21 ]; then
      best=$candidate
    fi
  fi
  if [ -z "$best" ]; then
    echo "error: Gantry needs a JDK 21 or newer: set JAVA_HOME to one, or install one under /usr/lib/jvm" \
      "(e.g. apt-get install openjdk-21-jdk-headless)" >&2
    return 1
  fi
  export JAVA_HOME=$best
}
