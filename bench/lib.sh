# Shared by the benchmarks (sourced, with $root set to the repository): the sample app's interpreter
# first on the PATH, and one Gantry server started and stopped.

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
