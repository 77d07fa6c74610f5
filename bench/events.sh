#!/usr/bin/env bash
# Events benchmark. Run: bench/events.sh [events] [databases] [no-op deployments]
#   defaults: 10000  h2,postgresql  1000   (0 no-op deployments: part (b) left out)
# (a) How fast the outbox drains to a local webhook: the packaged server on each database (H2 in a file;
#     PostgreSQL at 127.0.0.1:5432, database test, in a fresh schema dropped afterwards) with one http
#     subscription (structured mode, signed) to a receiver on loopback (bench/events-receiver.py) that checks
#     every signature and counts unique event ids. The events are written straight into the outbox table, as
#     Outbox.add writes them (not yet fanned out), in 500-row statements; timed from the first statement to
#     the last unique id received. Prints the time to write, the time to drain and the events per minute,
#     with the default delivery settings (gantry.events.poll 250ms, gantry.events.senders 8).
# (b) What two webhook subscriptions add to the engine: bench/engine.py's no-op deployments (10 no-op steps
#     each, 50 targets, H2) with no subscription, then with two http subscriptions to the receiver that take
#     every event; prints the cost per step of each and their ratio. Measured only when the engine writes
#     events: when the run without subscriptions wrote none, it says so and stops.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
events="${1:-10000}"
databases="${2:-h2,postgresql}"
noop="${3:-1000}"
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings
. "$root/.ci/jdk.sh"
gantry_find_jdk
secret="bench-webhook-secret-$(date +%s)"

work="$(mktemp -d)"
server_pid=""
receiver_pid=""
schema=""
stop_server() { [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }; server_pid=""; }
drop_schema() {
  [ -n "$schema" ] && PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test \
    -c "drop schema if exists $schema cascade" || true
  schema=""
}
trap 'stop_server; drop_schema; [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null; rm -rf "$work"' EXIT

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
api() {   # method path [json body]
  curl -fsS -X "$1" "$server/api/v1$2" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    ${3:+--data "$3"}
}
subscribe() {   # name path
  api PUT /secrets/bench-hook "{\"value\": \"$secret\"}" >/dev/null
  api POST /subscriptions "{\"name\": \"$1\", \"sink\": \"http\", \"address\": \"http://127.0.0.1:$receiver_port$2\", \"secret\": \"bench-hook\"}" >/dev/null
}
count() { curl -fsS "http://127.0.0.1:$receiver_port/count"; }

/usr/bin/python3 "$root/bench/events-receiver.py" "$secret" >"$work/receiver.port" &
receiver_pid=$!
until [ -s "$work/receiver.port" ]; do sleep 0.1; done
receiver_port="$(head -1 "$work/receiver.port")"

# the outbox rows, as Outbox.add writes them: a CDEvent with its context, not yet fanned out
/usr/bin/python3 - "$events" >"$work/events.sql" <<'PY'
import json, sys, uuid
n = int(sys.argv[1])
rows = []
for i in range(n):
    eid = str(uuid.uuid4())
    data = {"context": {"specversion": "0.5.1", "id": eid, "source": "/gantry",
                        "type": "dev.cdevents.service.deployed.0.3.0", "timestamp": "2026-12-05T00:00:00Z"},
            "subject": {"id": "bench/app-%d" % i, "source": "/gantry",
                        "content": {"environment": {"id": "bench"}, "artifactId": "pkg:generic/app-%d@1.0.0" % i}}}
    rows.append("('%s', 'dev.cdevents.service.deployed.0.3.0', '/gantry', 'bench/app-%d', "
                "timestamp with time zone '2026-12-05 00:00:00+00', 'bench', 'bench', '%s', false)"
                % (eid, i, json.dumps(data, separators=(",", ":"))))
for k in range(0, n, 500):
    print("insert into outbox_events (event_id, type, source, subject, occurred_at, environment, service, data, "
          "fanned_out) values\n" + ",\n".join(rows[k:k + 500]) + ";")
PY

now() { /usr/bin/python3 -c 'import time; print("%.3f" % time.time())'; }
echo "Gantry events benchmark ($(nproc) cores)"
echo "(a) $events events drained from the outbox to a local webhook (structured, signed; one subscription):"
for db in ${databases//,/ }; do
  dir="$work/$db"; mkdir -p "$dir"
  curl -fsS -X POST "http://127.0.0.1:$receiver_port/reset" >/dev/null
  if [ "$db" = postgresql ]; then
    schema="bench_events_$(date +%s)"
    PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema"
    run_server "$dir" "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$schema" \
      --spring.datasource.username=postgres --spring.datasource.password=
    subscribe drain /drain
    start="$(now)"
    PGOPTIONS="-c search_path=$schema -c client_min_messages=warning" \
      psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test -f "$work/events.sql" >/dev/null
  else
    # AUTO_SERVER: the server opens the file, and the events are written through it while it runs
    url="jdbc:h2:file:$dir/data/gantry;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE"
    run_server "$dir" "--spring.datasource.url=$url;WRITE_DELAY=0"
    subscribe drain /drain
    start="$(now)"
    "$JAVA_HOME/bin/java" -cp "$h2_jar" org.h2.tools.RunScript -url "$url" -user sa -script "$work/events.sql"
  fi
  written="$(now)"
  # BENCH_EVENTS_WAIT (seconds, default 1800): how long to wait for the last one; past it, the figures of
  # what arrived by then are printed, marked partial
  deadline=$(( $(date +%s) + ${BENCH_EVENTS_WAIT:-1800} ))
  while read -r unique total bad first last < <(count); [ "$unique" -lt "$events" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.2
  done
  counts="$(api GET /deliveries/counts)"
  /usr/bin/python3 - "$db" "$events" "$start" "$written" "$last" "$unique" "$total" "$bad" "$counts" <<'PY'
import json, sys
db, n, start, written, last = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
unique, total, bad, counts = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), json.loads(sys.argv[9])["deliveries"]
drain = last - start
print("  %-10s written in %5.1f s; %s %d unique ids received %5.1f s after the first write: %6.0f events/minute"
      % (db, written - start, "all" if unique >= n else "PARTIAL, only", unique, drain, unique / drain * 60))
print("  %-10s %d requests (%d duplicates), %d bad signatures; deliveries %s" % ("", total, total - unique, bad,
      ", ".join("%s %d" % (k.lower(), v) for k, v in counts.items())), flush=True)
PY
  stop_server
  [ "$db" = postgresql ] && drop_schema
done

[ "$noop" = 0 ] && exit 0   # part (b) left out
echo "(b) $noop no-op deployments (10 steps each, H2): no subscription, then two webhook subscriptions:"
step_cost() { sed -n 's/.* \([0-9.]*\) ms per step.*/\1/p' "$1"; }
dir="$work/noop-none"; mkdir -p "$dir"
run_server "$dir" --gantry.engine.poll=50ms
/usr/bin/python3 "$root/bench/engine.py" "$server" "$token" "$dir" noop "$noop" | tee "$dir/out.txt" | sed 's/^/  none: /'
emitted="$(api GET '/events?limit=1' | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
stop_server
if [ "$emitted" = 0 ]; then
  echo "  not measured: the engine wrote no events during $noop deployments (it does not emit events yet)"
  exit 0
fi
curl -fsS -X POST "http://127.0.0.1:$receiver_port/reset" >/dev/null
dir="$work/noop-two"; mkdir -p "$dir"
run_server "$dir" --gantry.engine.poll=50ms
subscribe hook-a /a
subscribe hook-b /b
/usr/bin/python3 "$root/bench/engine.py" "$server" "$token" "$dir" noop "$noop" | tee "$dir/out.txt" | sed 's/^/  two:  /'
stop_server
read -r unique total bad first last < <(count) || true   # the count has no newline at its end
/usr/bin/python3 - "$(step_cost "$work/noop-none/out.txt")" "$(step_cost "$dir/out.txt")" "$total" "$bad" <<'PY'
import sys
none, two, total, bad = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("  per step: %.2f ms without subscriptions, %.2f ms with two: ratio %.3f (%+.1f %%); %d deliveries received "
      "by then, %d bad signatures" % (none, two, two / none, (two / none - 1) * 100, total, bad))
PY
