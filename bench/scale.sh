#!/usr/bin/env bash
# Scale-out benchmark. Run: bench/scale.sh [servers list] [no-op deployments]   (defaults: 1,2,3  600)
# For each number of servers, on one PostgreSQL schema (127.0.0.1:5432, database test) and one shared data
# directory, as docs/operations.md has them run:
# 1. deployments per hour of the 10-step no-op model (bench/engine.py's no-op part: every deployment requested
#    through the first server, planned to start at one instant, spread over BENCH_NOOP_TARGETS targets,
#    default 50; every server's engine takes its share);
# 2. on one server only, the API's status reads: GET /api/v1/deployments/{id} with wrk (BENCH_WRK_THREADS
#    threads, default 2, BENCH_WRK_CONNECTIONS connections, default 32, for BENCH_WRK_SECONDS, default 20),
#    after a warm-up of the same length, and GET /api/v1/health (no token, no database) measured the same way
#    in the same run, as the floor of the web stack: requests per second and latency percentiles.
# The servers, wrk and this script share the machine's cores. Needs wrk (Debian's package).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
servers_list="${1:-1,2,3}"
count="${2:-600}"
threads="${BENCH_WRK_THREADS:-2}"
connections="${BENCH_WRK_CONNECTIONS:-32}"
seconds="${BENCH_WRK_SECONDS:-20}"
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings

. "$root/bench/lib.sh"

pids=()
schema=""
work=""
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  if [ -n "$schema" ]; then
    PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema $schema cascade"
    schema=""
  fi
  [ -n "$work" ] && rm -rf "$work"
  work=""
}
trap 'stop_all; rm -rf "$pybin"' EXIT

start_node() {   # $1 the node's number; the first sets server and token
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  (cd "$work" && exec "$root/gantry" server --port "$port" --data-dir "$work/data" -- --gantry.engine.poll=50ms \
    "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$schema" \
    --spring.datasource.username=postgres --spring.datasource.password= >"$work/server-$1.log" 2>&1) &
  local pid=$!
  pids+=("$pid")
  until curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -50 "$work/server-$1.log"; echo "server $1 died" >&2; exit 1; }
    sleep 0.1
  done
  if [ "$1" = 1 ]; then
    server="http://127.0.0.1:$port"
    token="$(cat "$work/data/admin.token")"
  fi
}

read_wrk() {   # $1 label, $2 URL, then wrk's header arguments; prints one line
  local label="$1" url="$2"; shift 2
  wrk -t"$threads" -c"$connections" -d"${seconds}s" "$@" "$url" >/dev/null   # warm-up
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@" "$url" | awk -v label="$label" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx or 3xx responses/ { bad = $5 }
    /Socket errors/ { errors = $0 }
    END { printf "  %-34s %9.0f requests/s   p50 %-9s p90 %-9s p99 %-9s%s%s\n", label, rps, p50, p90, p99,
          bad ? "   non-2xx: " bad : "", errors ? "   " errors : "" }'
}

echo "Gantry scale-out benchmark ($(nproc) cores, PostgreSQL, $count no-op deployments of 10 steps)"
IFS=, read -ra servers_counts <<<"$servers_list"
for n in "${servers_counts[@]}"; do
  work="$(mktemp -d)"
  schema="bench_scale_$(date +%s)_$n"
  PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema"
  start_node 1
  for ((i = 2; i <= n; i++)); do start_node "$i"; done
  echo "$n server(s):"
  out="$(BENCH_TARGETS="$work/targets" python3 "$root/bench/engine.py" "$server" "$token" "$work" noop "$count")"
  echo "$out"
  echo "$out" | awk -v c="$count" '/no-op steps, from their planned start/ {
    for (i = 1; i <= NF; i++) if ($(i + 1) == "s,") s = $i
    printf "  deployments per hour: %.0f\n", c / s * 3600 }'
  if [ "$n" = "${servers_counts[0]}" ]; then
    id="$(curl -fsS -H "Authorization: Bearer $token" "$server/api/v1/deployments?size=1" \
      | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')"
    echo "  API on one server ($threads wrk threads, $connections connections, ${seconds} s after a ${seconds} s warm-up):"
    read_wrk "GET /api/v1/health (floor)" "$server/api/v1/health"
    read_wrk "GET /api/v1/deployments/$id" "$server/api/v1/deployments/$id" -H "Authorization: Bearer $token"
  fi
  stop_all
done
