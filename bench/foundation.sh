#!/usr/bin/env bash
# Foundation benchmark: time of `gantry apply` for a generated configuration of 1,000 components and
# 50 models (first apply, a second apply with nothing to change, and a plan), the server's
# start-to-ready time and its idle RSS. Run: bench/foundation.sh [components] [models]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
components="${1:-1000}"
models="${2:-50}"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings
python3 "$root/bench/generate-config.py" "$work/config" "$components" "$models"

now_ms() { date +%s%3N; }

start=$(now_ms)
(cd "$work" && exec "$root/gantry" server --port "$port" --data-dir "$work/data" >"$work/server.log" 2>&1) &
server_pid=$!
until curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "server died" >&2; exit 1; }
  sleep 0.05
done
ready_ms=$(( $(now_ms) - start ))
sleep 5
java_pid="$(pgrep -f -- "--data-dir $work/data" | head -1 || true)"
[ -n "$java_pid" ] || java_pid="$(pgrep -P "$server_pid" | head -1)"
rss_kb="$(ps -o rss= -p "$java_pid" | tr -d ' ')"

export GANTRY_SERVER="http://127.0.0.1:$port" GANTRY_TOKEN="$(cat "$work/data/admin.token")"
t() { local s; s=$(now_ms); "$@" >"$work/last.out" 2>&1 || { cat "$work/last.out"; exit 1; }; echo $(( $(now_ms) - s )); }
apply1=$(t "$root/gantry" apply -f "$work/config" --reason "benchmark: first apply")
apply2=$(t "$root/gantry" apply -f "$work/config" --reason "benchmark: nothing to change")
plan=$(t "$root/gantry" plan -f "$work/config")
help=$(t "$root/gantry" --help)

echo "Gantry foundation benchmark ($(nproc) cores)"
printf '  configuration: %d components, %d models, %d services, 4 environments\n' "$components" "$models" $(( components / 20 ))
printf '  gantry apply (all new):            %6d ms\n' "$apply1"
printf '  gantry apply (nothing to change):  %6d ms\n' "$apply2"
printf '  gantry plan:                       %6d ms\n' "$plan"
printf '  gantry --help (CLI start):         %6d ms\n' "$help"
printf '  server start to ready:             %6d ms\n' "$ready_ms"
printf '  server idle RSS:                   %6d MB\n' $(( rss_kb / 1024 ))
