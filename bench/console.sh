#!/usr/bin/env bash
# Console benchmark. Run: bench/console.sh [requests] [databases] [deployments]
#   defaults: 30  h2,postgresql  100000
# Starts the packaged server on each database (H2 in a file; PostgreSQL at 127.0.0.1:5432, database test,
# in a fresh schema dropped afterwards), seeds it straight through SQL (bench/console-seed.sql: 500
# components x 6 environments, that many deployments, one more deployment to 100 targets), signs in with
# the first administrator's token and times, as the server renders them: the home page (the baseline: the
# console's frame and session alone), the dashboard over everything, the dashboard filtered to one service,
# its polled matrix, and the page of the 100-target deployment. Prints median and 90th percentile of each.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
requests="${1:-30}"
databases="${2:-h2,postgresql}"
n="${3:-100000}"
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings
. "$root/.ci/jdk.sh"
gantry_find_jdk

work="$(mktemp -d)"
server_pid=""
schema=""
stop_server() { [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }; server_pid=""; }
drop_schema() {
  [ -n "$schema" ] && PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test \
    -c "drop schema if exists $schema cascade" || true
  schema=""
}
trap 'stop_server; drop_schema; rm -rf "$work"' EXIT

# H2's own tools, from the jar's libraries, to load the seed into the server's H2 file while it runs
(cd "$work" && "$JAVA_HOME/bin/jar" xf "$root/target/gantry.jar" $(unzip -Z1 "$root/target/gantry.jar" | grep 'BOOT-INF/lib/h2-'))
h2_jar="$(ls "$work"/BOOT-INF/lib/h2-*.jar)"

run_server() {   # $1 work dir, then extra Spring arguments
  local dir="$1"; shift
  local port; port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  (cd "$dir" && exec "$root/gantry" server --port "$port" --data-dir "$dir/data" -- "$@" >"$dir/server.log" 2>&1) &
  server_pid=$!
  until curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$server_pid" 2>/dev/null || { tail -50 "$dir/server.log"; echo "server died" >&2; exit 1; }
    sleep 0.2
  done
  server="http://127.0.0.1:$port"
  token="$(cat "$dir/data/admin.token")"
}

seed_sql() {   # $1 h2|postgresql: the seed with its number series for that database
  local series
  if [ "$1" = postgresql ]; then series='(select cast(generate_series(1, %s) as bigint) as i)'
  else series='(select cast("X" as bigint) as i from system_range(1, %s))'; fi
  sed -e "s/{series50}/$(printf "$series" 50)/g" -e "s/{series10}/$(printf "$series" 10)/g" \
      -e "s/{series100}/$(printf "$series" 100)/g" -e "s/{series300}/$(printf "$series" 300)/g" \
      -e "s/{series}/$(printf "$series" "$n")/g" -e "s/{n}/$n/g" "$root/bench/console-seed.sql"
}

now_ms() { date +%s%3N; }
echo "Gantry console benchmark ($(nproc) cores): 500 components x 6 environments, $n deployments"
for db in ${databases//,/ }; do
  dir="$work/$db"; mkdir -p "$dir"
  if [ "$db" = postgresql ]; then
    schema="bench_console_$(date +%s)"
    PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema"
    run_server "$dir" "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$schema" \
      --spring.datasource.username=postgres --spring.datasource.password=
    start=$(now_ms)
    seed_sql postgresql | PGOPTIONS="-c search_path=$schema -c client_min_messages=warning" \
      psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test >/dev/null
    PGOPTIONS="-c search_path=$schema" psql -q -h 127.0.0.1 -U postgres -d test -c "vacuum analyze" >/dev/null
  else
    # AUTO_SERVER: the server opens the file, and the seed is loaded through it while it runs
    url="jdbc:h2:file:$dir/data/gantry;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE"
    run_server "$dir" "--spring.datasource.url=$url;WRITE_DELAY=0"
    start=$(now_ms)
    seed_sql h2 >"$dir/seed.sql"
    "$JAVA_HOME/bin/java" -cp "$h2_jar" org.h2.tools.RunScript -url "$url" -user sa -script "$dir/seed.sql"
    "$JAVA_HOME/bin/java" -cp "$h2_jar" org.h2.tools.Shell -url "$url" -user sa -sql "analyze" >/dev/null
  fi
  echo "$db: seeded in $(( ($(now_ms) - start) / 1000 )) s; $requests requests per page after 10 to warm up"
  /usr/bin/python3 "$root/bench/console.py" "$server" "$token" "$requests" \
    "home page (baseline)=/" \
    "dashboard, everything=/console/dashboard" \
    "dashboard, one service=/console/dashboard?service=svc7" \
    "polled matrix, everything=/console/dashboard/matrix" \
    "deployment page, 100 targets=/console/deployments/$((n + 1))"
  stop_server
  [ "$db" = postgresql ] && drop_schema
done
