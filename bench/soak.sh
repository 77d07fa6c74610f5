#!/usr/bin/env bash
# Soak of two servers. Run: bench/soak.sh [minutes]   (default 10; bench/soak.sh 2 for a short trial)
# Two `gantry server` processes on one new PostgreSQL schema (127.0.0.1:5432, database test) and one shared data
# directory, as docs/operations.md has them run, for the given minutes:
# - deployments flowing continuously, requested and followed through both servers in turn (bench/soak.py):
#   one lane per environment, each requesting its next deployment as soon as its last ended: BENCH_SOAK_REAL
#   environments (default 2) of BENCH_SOAK_REAL_TARGETS local targets (default 3) running the sample app, each
#   deployment a new version pushed first (the 10 MB artifact installed, a configuration template, a restart
#   and a health check: real shell steps), and BENCH_SOAK_NOOP environments (default 4) of one target deployed
#   with the 10-step no-op model;
# - API reads with wrk, one per server (1 thread, half of BENCH_SOAK_WRK_CONNECTIONS each, default 16 in all;
#   each connection waits BENCH_SOAK_WRK_DELAY ms, default 10, before each request; 10 s timeout), taking turns
#   between GET /api/v1/deployments/{id} and GET /api/v1/deployments?size=20 (the list, newest first).
# BENCH_SOAK_SERVER_ARGS adds Spring arguments to both servers (e.g.
# --spring.datasource.hikari.maximum-pool-size=20). Samples of each server: every 5 s its connection pools from /actuator/prometheus (which takes the admin's
# bearer token, like the API): hikaricp_connections_pending, _active, _max, _timeout_total,
# _acquire_seconds_max; at the start and every minute the heap after a full collection and the RSS.
#
# Heap after GC: once a minute `jcmd PID GC.run` (System.gc(), a full collection with G1: only live objects
# are left, all in the old regions), then Micrometer's jvm_gc_live_data_size_bytes, which that collection's
# notification sets to the old regions' use after it. Without the forced collection the gauge is not
# meaningful for G1 here: Micrometer sets it only after a full or concurrent collection or when the old regions
# shrink; a new server shows 0 with some 65 MB in its old regions, and in the trials (the default heap, a quarter
# of the memory) G1 ran young collections only, so it would have stayed at 0. The heap used after a young
# collection counts whatever the old regions hold, dead or alive. The forced collection
# stops each server once a minute, for 0.2 to 0.7 s in the trials (a loaded 2-core machine).
#
# At the end it prints the deployments requested, succeeded, failed and other (any not SUCCEEDED is an error,
# listed), the driver's API errors, wrk's requests, non-2xx answers and socket errors per server, per server
# the heap series and its change from minute 2 (minute 1 for runs under 4 minutes) to the end (PASS within
# 10 %), the pools (PASS with no timeout and nothing pending in any sample), the ERROR and WARN lines of the
# servers' logs from the start of the soak on (shown; PASS with none), and PASS or FAIL overall (exit
# status 0 or 1). It stops by itself (the deployments in flight get 3 minutes once the time is up) and removes
# what it made: servers, wrk, the sample apps, the schema, its temporary folders.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minutes="${1:-10}"
connections="${BENCH_SOAK_WRK_CONNECTIONS:-16}"
delay="${BENCH_SOAK_WRK_DELAY:-10}"
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
"$root/gantry" --help >/dev/null   # builds the jar when needed
. "$root/.ci/jdk.sh"
gantry_find_jdk
export JCMD="$JAVA_HOME/bin/jcmd"

. "$root/bench/lib.sh"

work="$(mktemp -d)"
schema="bench_soak_$(date +%s)"
driver=""
wrk_pids=()
cleanup() {
  for p in "${wrk_pids[@]}" $driver; do kill "$p" 2>/dev/null || true; done
  for p in "${wrk_pids[@]}" $driver; do wait "$p" 2>/dev/null || true; done
  stop_nodes
  for f in $(find "$work/targets" -name app.pid 2>/dev/null); do kill "$(cat "$f")" 2>/dev/null || true; done
  pg -c "drop schema if exists $schema cascade" || true
  rm -rf "$work" "$pybin"
}
trap cleanup EXIT

pg -c "create schema $schema"
echo "Gantry soak: 2 servers, $minutes minutes ($(nproc) cores, PostgreSQL)${BENCH_SOAK_SERVER_ARGS:+, servers given $BENCH_SOAK_SERVER_ARGS}"
# shellcheck disable=SC2086   # BENCH_SOAK_SERVER_ARGS: Spring arguments for both servers, split at spaces
start_node 1 "$work" "$schema" ${BENCH_SOAK_SERVER_ARGS:-}
start_node 2 "$work" "$schema" ${BENCH_SOAK_SERVER_ARGS:-}   # once the first has made the schema and the administrator
logs_from=("$(wc -l <"$work/server-1.log")" "$(wc -l <"$work/server-2.log")")

python3 "$root/bench/soak.py" "$(IFS=,; echo "${node_urls[*]}")" "$token" "$work" "$minutes" \
  "$(IFS=,; echo "${node_pids[*]}")" &
driver=$!
until [ -f "$work/ready" ]; do
  kill -0 "$driver" 2>/dev/null || { wait "$driver" || true; driver=""; echo "the driver stopped before the soak began" >&2; exit 1; }
  sleep 0.5
done
id="$(cat "$work/ready")"
cat >"$work/reads.lua" <<'EOF'
-- takes turns between the paths given after "--", each connection waiting the delay (ms, the first argument)
local paths, wait, i = {}, 0, 0
init = function(args)
  wait = tonumber(args[1])
  for k = 2, #args do paths[#paths + 1] = args[k] end
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
delay = function() return wait end
EOF
for n in 1 2; do
  timeout $((minutes * 60 + 60)) wrk -t1 -c$((connections / 2)) -d"$((minutes * 60))s" --timeout 10s --latency \
    -s "$work/reads.lua" -H "Authorization: Bearer $token" "${node_urls[$((n - 1))]}" -- "$delay" \
    "/api/v1/deployments/$id" "/api/v1/deployments?size=20" >"$work/wrk-$n.out" 2>&1 &
  wrk_pids+=($!)
done

status=0
wait "$driver" || status=1
driver=""
for p in "${wrk_pids[@]}"; do wait "$p" || true; done
wrk_pids=()

echo "API reads with wrk (GET /api/v1/deployments/$id and /api/v1/deployments?size=20 in turn, $((connections / 2)) connections a server, ${delay} ms between a connection's requests):"
for n in 1 2; do
  if ! awk -v n="$n" '
      /requests in/ { requests = $1 }
      /Requests\/sec/ { rps = $2 }
      /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
      /Non-2xx or 3xx responses/ { bad = $5 }
      /Socket errors/ { errors = $0; sub(/^ +/, "", errors) }
      END {
        if (requests == "") exit 1
        printf "  server %d: %d requests, %.0f/s, p50 %s, p99 %s, %d non-2xx, %s: %s\n", n, requests, rps, p50, p99,
          bad, errors ? errors : "no socket errors", (bad || errors) ? "FAIL" : "PASS"
        exit (bad || errors) ? 2 : 0 }' "$work/wrk-$n.out"; then
    status=1
    grep -q "requests in" "$work/wrk-$n.out" || { echo "  server $n: wrk gave no figures: FAIL"; cat "$work/wrk-$n.out"; }
  fi
done

echo "ERROR and WARN lines in the servers' logs since the soak began:"
for n in 1 2; do
  lines="$(tail -n +"$((logs_from[n - 1] + 1))" "$work/server-$n.log" | grep -E '^\S+ +(ERROR|WARN) ' || true)"
  errors="$(printf '%s' "$lines" | grep -c ' ERROR ' || true)"
  warns="$(printf '%s' "$lines" | grep -c ' WARN ' || true)"
  if [ -z "$lines" ]; then
    echo "  server $n: none: PASS"
  else
    echo "  server $n: $errors ERROR, $warns WARN: FAIL"
    printf '%s\n' "$lines" | cut -c1-400 | head -20 | sed 's/^/    /'
    status=1
  fi
done

if [ "$status" = 0 ]; then echo "Soak: PASS"; else echo "Soak: FAIL"; fi
exit "$status"
