# Shared by the benchmarks (sourced, with $root set to the repository): the sample app's interpreter
# first on the PATH, one Gantry server started and stopped, and several on PostgreSQL.

# The sample app runs under python3. Where python3 on the PATH is a wrapper that starts slowly (a
# pyenv shim is a shell script that starts pyenv), the wrapper, not the deployment, would dominate
# both Gantry's and the script's time: both get the interpreter itself first on their PATH.
pybin="$(mktemp -d)"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$pybin/python3"
export PATH="$pybin:$PATH"

run_server() {   # $1 work dir, then extra Spring arguments; sets server, token and server_pid
  local work="$1"; shift
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  (cd "$work" && exec "$root/gantry" server --port "$port" --data-dir "$work/data" -- "$@" >"$work/server.log" 2>&1) &
  server_pid=$!
  until curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$server_pid" 2>/dev/null || { tail -50 "$work/server.log"; echo "server died" >&2; exit 1; }
    sleep 0.1
  done
  server="http://127.0.0.1:$port"
  token="$(cat "$work/data/admin.token")"
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

# Several servers on one PostgreSQL schema (127.0.0.1:5432, database test) and one data directory, as
# docs/operations.md has them run (bench/scale.sh, bench/soak.sh). node_pids and node_urls list the servers
# started, in order; the first one started sets server and token.
node_pids=()
node_urls=()
pg() { PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test "$@"; }
start_node() {   # $1 the node's number, $2 work dir, $3 schema, then extra Spring arguments
  local n="$1" work="$2" schema="$3"; shift 3
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  (cd "$work" && exec "$root/gantry" server --port "$port" --data-dir "$work/data" -- --gantry.engine.poll=50ms \
    "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$schema" \
    --spring.datasource.username=postgres --spring.datasource.password= "$@" >"$work/server-$n.log" 2>&1) &
  local pid=$!
  node_pids+=("$pid")
  until curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -50 "$work/server-$n.log"; echo "server $n died" >&2; exit 1; }
    sleep 0.1
  done
  node_urls+=("http://127.0.0.1:$port")
  if [ "${#node_urls[@]}" = 1 ]; then
    server="http://127.0.0.1:$port"
    token="$(cat "$work/data/admin.token")"
  fi
}
stop_nodes() {   # SIGTERM to every server started (each lets go of its work first), then waits for them
  local p
  for p in "${node_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${node_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  node_pids=()
  node_urls=()
}
