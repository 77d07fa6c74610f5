#!/usr/bin/env bash
# Scale-out benchmark. Run: bench/scale.sh [servers list] [no-op deployments] [real deployments]
#   (defaults: 1,2,3  600  30)
# For each number of servers, on one PostgreSQL schema (127.0.0.1:5432, database test) and one shared data
# directory, as docs/operations.md has them run:
# 1. deployments per hour of the 10-step no-op model (bench/engine.py's no-op part: every deployment requested
#    through the first server, planned to start at one instant, spread over BENCH_NOOP_TARGETS targets,
#    default 50; every server's engine takes its share);
# 2. deployments per hour of a 10-target real deployment (bench/engine.py's real part, the shape of its targets
#    part: a 10 MB artifact installed, a configuration template, a restart and a health check, on 10 local
#    targets running the sample app): the real deployments requested through the first server, planned to start
#    at one instant, spread over BENCH_REAL_ENVS environments of 10 targets each (default 3: three deployments
#    run at once, the others queue for their targets), every server's engine taking its share;
# 3. on one server only, the API's status reads: GET /api/v1/deployments/{id} with wrk (BENCH_WRK_THREADS
#    threads, default 2, BENCH_WRK_CONNECTIONS connections, default 32, for BENCH_WRK_SECONDS, default 20),
#    after a warm-up of the same length, and GET /api/v1/health (no token, no database) measured the same way
#    in the same run, as the floor of the web stack: requests per second and latency percentiles.
# The servers, wrk and this script share the machine's cores. Needs wrk (Debian's package).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
servers_list="${1:-1,2,3}"
count="${2:-600}"
real="${3:-30}"
threads="${BENCH_WRK_THREADS:-2}"
connections="${BENCH_WRK_CONNECTIONS:-32}"
seconds="${BENCH_WRK_SECONDS:-20}"
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings

. "$root/bench/lib.sh"

schema=""
work=""
stop_all() {
  stop_nodes
  if [ -n "$work" ]; then   # the sample apps of the real deployments, should a run have stopped half-way
    for f in $(find "$work/targets" -name app.pid 2>/dev/null); do kill "$(cat "$f")" 2>/dev/null || true; done
  fi
  [ -n "$schema" ] && pg -c "drop schema $schema cascade"
  schema=""
  [ -n "$work" ] && rm -rf "$work"
  work=""
}
trap 'stop_all; rm -rf "$pybin"' EXIT

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

echo "Gantry scale-out benchmark ($(nproc) cores, PostgreSQL, $count no-op deployments of 10 steps, $real real deployments to 10 targets)"
IFS=, read -ra servers_counts <<<"$servers_list"
for n in "${servers_counts[@]}"; do
  work="$(mktemp -d)"
  schema="bench_scale_$(date +%s)_$n"
  pg -c "create schema $schema"
  for ((i = 1; i <= n; i++)); do start_node "$i" "$work" "$schema"; done
  echo "$n server(s):"
  out="$(BENCH_TARGETS="$work/targets" python3 "$root/bench/engine.py" "$server" "$token" "$work" noop "$count")"
  echo "$out"
  echo "$out" | awk -v c="$count" '/no-op steps, from their planned start/ {
    for (i = 1; i <= NF; i++) if ($(i + 1) == "s,") s = $i
    printf "  deployments per hour: %.0f\n", c / s * 3600 }'
  # the status read below is of a no-op deployment (one target, ten steps), the newest before the real ones
  id="$(curl -fsS -H "Authorization: Bearer $token" "$server/api/v1/deployments?size=1" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')"
  if [ "$real" -gt 0 ]; then
    out="$(BENCH_TARGETS="$work/targets" python3 "$root/bench/engine.py" "$server" "$token" "$work" real "$real")"
    echo "$out"
    echo "$out" | awk -v c="$real" '/local targets .* from their planned start/ {
      for (i = 1; i <= NF; i++) if ($(i + 1) == "s,") s = $i
      printf "  real deployments per hour: %.0f\n", c / s * 3600 }'
  fi
  if [ "$n" = "${servers_counts[0]}" ]; then
    echo "  API on one server ($threads wrk threads, $connections connections, ${seconds} s after a ${seconds} s warm-up):"
    read_wrk "GET /api/v1/health (floor)" "$server/api/v1/health"
    read_wrk "GET /api/v1/deployments/$id" "$server/api/v1/deployments/$id" -H "Authorization: Bearer $token"
  fi
  stop_all
done
