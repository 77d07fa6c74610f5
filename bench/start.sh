#!/usr/bin/env bash
# Start-up benchmark. Run: bench/start.sh [runs]   (default 5)
# Measures, as a user of ./gantry meets them (the launcher's extracted jar and class data archives, made
# before the timings):
# 1. the server: from `gantry server` to the first 200 of /api/v1/health, on a new data directory (its
#    migrations run) and again on the same one (a restart), on the embedded H2 database;
# 2. client commands against that server: `gantry --help`, `gantry --version` and
#    `gantry status` (one API call), against `curl` of the API call that `status` makes, the floor of the
#    same run.
# Prints the median and the slowest of the runs, in seconds. The targets (issue 17): the server ready in
# at most 5 s, a client command in at most 0.3 s.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
case "$runs" in ''|*[!0-9]*) echo "error: runs must be a whole number, not '$runs'" >&2; exit 2 ;; esac
"$root/gantry" --help >/dev/null   # builds the jar, extracts it and makes the client's archive, outside the timings

. "$root/bench/lib.sh"
. "$root/.ci/jdk.sh"
gantry_find_jdk >/dev/null

work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work" "$pybin"' EXIT

now() { date +%s.%N; }
summary() {   # $1 label, then the times; prints median and slowest
  local label="$1"; shift
  printf '%s\n' "$@" | sort -g | awk -v label="$label" '{ t[NR] = $1 } END {
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%-44s median %6.3f s   slowest %6.3f s   (%d runs)\n", label, m, t[NR], NR }'
}

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server="http://127.0.0.1:$port"
start_server() {   # $1 data dir; sets elapsed to the seconds until healthy (and pid: not in a subshell)
  local t0; t0=$(now)
  (cd "$work" && exec "$root/gantry" server --port "$port" --data-dir "$1" >>"$work/server.log" 2>&1) &
  pid=$!
  until curl -fsS "$server/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$work/server.log" >&2; echo "error: the server died" >&2; exit 1; }
    sleep 0.02
  done
  elapsed=$(echo "$(now) - $t0" | bc -l)
}
stop_server() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

# the server's class data archive is made by its first start (once per build): not timed
start_server "$work/warm"
stop_server

fresh=(); again=()
for i in $(seq "$runs"); do
  start_server "$work/data-$i"; fresh+=("$elapsed")
  # the first administrator's token is written just after the server is ready: wait for it, untimed
  until [ -s "$work/data-$i/admin.token" ]; do sleep 0.05; done
  stop_server
  start_server "$work/data-$i"; again+=("$elapsed")
  [ "$i" = "$runs" ] || stop_server
done
token="$(cat "$work/data-$runs/admin.token")"

help=(); version=(); status=(); floor=()
for i in $(seq $((runs * 2))); do
  t0=$(now); "$root/gantry" --help >/dev/null; help+=("$(echo "$(now) - $t0" | bc -l)")
  t0=$(now); "$root/gantry" --version >/dev/null; version+=("$(echo "$(now) - $t0" | bc -l)")
  t0=$(now); "$root/gantry" --server "$server" --token "$token" status >/dev/null
  status+=("$(echo "$(now) - $t0" | bc -l)")
  t0=$(now); curl -fsS -H "Authorization: Bearer $token" "$server/api/v1/deployments?size=20" >/dev/null
  floor+=("$(echo "$(now) - $t0" | bc -l)")
done
stop_server

echo "bench/start.sh on $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
summary "server ready, new data directory" "${fresh[@]}"
summary "server ready, restarted on the same data" "${again[@]}"
summary "gantry --help" "${help[@]}"
summary "gantry --version" "${version[@]}"
summary "gantry status (one API call)" "${status[@]}"
summary "curl of the same API call (floor)" "${floor[@]}"
