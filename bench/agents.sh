#!/usr/bin/env bash
# Agents benchmark. Run: bench/agents.sh [N list] [parallelism]     defaults: 100  25
# For each N, one Gantry server (H2) deploys a 10 MB artifact with configuration, restart and health check
# (engine.sh's model) to N targets of kind agent, each worked on by its own agent process
# (gantry agent, as users start it, with BENCH_AGENT_JAVA_OPTS for a small heap), and to N local targets, taking
# turns, after one warm-up deployment of each that is shown and not counted (BENCH_WARMUP=0: none); prints the
# medians of BENCH_RUNS runs (default 3), their ratio, the server's CPU time per deployment,
# the agents' CPU time and the sum of their resident memory (BENCH_VERBOSE=1: each run's, and the server's CPU
# time by thread, and each step's mean time per target). BENCH_MARKS=1 also prints each deployment's start and end
# on CLOCK_MONOTONIC, to cut a `perf record -k CLOCK_MONOTONIC` to it. The agents start in waves of BENCH_AGENT_WAVE (default 10). Everything it starts is stopped at
# the end (BENCH_KEEP=1 keeps the work folder, the server's database included, for a look afterwards); the whole
# run is bounded by BENCH_TIMEOUT seconds (default 3600).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="${1:-100}"
parallelism="${2:-25}"
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings
"$root/gantry" agent --help >/dev/null   # and the agents' class data archive
. "$root/.ci/jdk.sh"
gantry_find_jdk

. "$root/bench/lib.sh"

work="$(mktemp -d)"
server_pid=""
stop_all() {
  # the agents (should the driver have been killed before it stopped them), the sample apps, the server
  [ -f "$work/agent.pids" ] && while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$work/agent.pids"
  find "$work" -name app.pid 2>/dev/null | while read -r f; do kill "$(cat "$f")" 2>/dev/null || true; done
  [ -n "$server_pid" ] && stop_server
  [ -n "${BENCH_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"; rm -rf "$pybin"
}
trap stop_all EXIT
run_server "$work" --gantry.engine.poll=50ms
BENCH_TARGETS="$work/targets" BENCH_SERVER_PID="$server_pid" \
  BENCH_AGENT_JAVA_OPTS="${BENCH_AGENT_JAVA_OPTS:--Xms16m -Xmx64m -Xss512k -XX:ReservedCodeCacheSize=32m}" \
  timeout "${BENCH_TIMEOUT:-3600}" /usr/bin/python3 "$root/bench/agents.py" "$server" "$token" "$work" \
  "$root/gantry" "$sizes" "$parallelism"
