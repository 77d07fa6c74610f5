#!/usr/bin/env bash
# The SSH part of the engine benchmark; run it as bench/engine.sh --ssh [N list] [parallelism list]
# (see there). Arguments: N list, parallelism list.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="$1" parallelisms="$2"
[ -x /usr/sbin/sshd ] || { echo "/usr/sbin/sshd is missing: apt-get install -y openssh-server" >&2; exit 1; }
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings

. "$root/bench/lib.sh"

work="$(mktemp -d)"
sshd_pid=
stop_all() {
  stop_server
  [ -n "$sshd_pid" ] && { kill "$sshd_pid" 2>/dev/null || true; wait "$sshd_pid" 2>/dev/null || true; }
  # the sample apps the deployments started, on both kinds of target
  for f in "$work"/targets/bench/*/*/app.pid "$work"/targets/bench/*/app.pid "$work"/ssh/*/*/app.pid "$work"/ssh/*/app.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$work" "$pybin"
}
trap stop_all EXIT

# a real OpenSSH server on loopback, as the tests start one: its own keys, public keys only
sshdir="$work/sshd"
mkdir -p "$sshdir" "$work/ssh"
ssh-keygen -q -t ecdsa -b 256 -N "" -C gantry-bench-host -f "$sshdir/host_key"
ssh-keygen -q -t ecdsa -b 256 -N "" -C gantry-bench-client -f "$sshdir/client_key"
cp "$sshdir/client_key.pub" "$sshdir/authorized_keys"
chmod 600 "$sshdir/client_key"
fingerprint="$(ssh-keygen -l -f "$sshdir/host_key.pub" | cut -d' ' -f2)"
ssh_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$sshdir/sshd_config" <<CONF
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $sshdir/host_key
AuthorizedKeysFile $sshdir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PidFile $sshdir/sshd.pid
LogLevel ERROR
SetEnv SHLVL=1
MaxStartups 200
CONF
mkdir -p /run/sshd 2>/dev/null || true
/usr/sbin/sshd -D -e -f "$sshdir/sshd_config" 2>"$sshdir/sshd.log" &
sshd_pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $ssh_port), 0.2)" 2>/dev/null && break
  kill -0 "$sshd_pid" 2>/dev/null || { cat "$sshdir/sshd.log" >&2; exit 1; }
  sleep 0.1
done

echo "Gantry engine benchmark, SSH targets ($(nproc) cores; OpenSSH $(ssh -V 2>&1 | cut -d' ' -f1) on 127.0.0.1:$ssh_port)"
echo "Deploy a 10 MB artifact + configuration, restart and health check, N targets of kind ssh against N local (H2):"
run_server "$work" --gantry.engine.poll=50ms
BENCH_TARGETS="$work/targets" BENCH_SSH="127.0.0.1 $ssh_port $(id -un) $sshdir/client_key $fingerprint $work/ssh" \
  timeout "${BENCH_SSH_TIMEOUT:-1200}" python3 "$root/bench/engine.py" "$server" "$token" "$work" ssh "$sizes" "$parallelisms"
