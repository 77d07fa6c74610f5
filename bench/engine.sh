#!/usr/bin/env bash
# Engine benchmark. Run: bench/engine.sh [N list] [parallelism list] [no-op deployments]
#   defaults: 1,10,50,100  8,25  1000
# Prints, per N and parallelism, the time Gantry takes to deploy a 10 MB artifact with
# configuration, restart and health check to N local targets, the time a plain bash script takes for
# the same work, and their ratio (medians of BENCH_RUNS runs, default 3, Gantry and the script taking
# turns); then the engine's cost per step with no-op steps on H2 and on
# PostgreSQL (127.0.0.1:5432, database test): spread over 50 targets (BENCH_NOOP_TARGETS), and all
# on one target.
#
# SSH part, run alone: bench/engine.sh --ssh [N list] [parallelism list]   (defaults: 10,50  25)
# Starts a real OpenSSH server on 127.0.0.1 (/usr/sbin/sshd -D, its own host key, configuration and
# authorized key, an unprivileged free port; Debian's openssh-server), defines N targets of kind ssh
# (each its own folder on this machine, reached through that server) and N local targets, deploys
# the same model (the 10 MB artifact, configuration, restart, health check) to both, taking turns,
# BENCH_RUNS times (default 3), and prints the median times and their ratio (ssh / local). It stops
# the server, sshd and the apps it started, and gives up after BENCH_SSH_TIMEOUT seconds (default 1200).
# BENCH_VERBOSE=1 prints each run, each step's mean time per target and the machine's CPU seconds per deployment;
# BENCH_MARKS=1 each deployment's start and end on CLOCK_MONOTONIC, to cut a `perf record -k CLOCK_MONOTONIC` to it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ "${1:-}" = --ssh ]; then
  exec "$root/bench/engine-ssh.sh" "${2:-10,50}" "${3:-25}"
fi
sizes="${1:-1,10,50,100}"
parallelisms="${2:-8,25}"
noop="${3:-1000}"
"$root/gantry" --help >/dev/null   # builds the jar when needed, outside the timings

. "$root/bench/lib.sh"

echo "Gantry engine benchmark ($(nproc) cores)"
work="$(mktemp -d)"; trap 'stop_server; rm -rf "$work" "$pybin"' EXIT
echo "Deploy a 10 MB artifact + configuration, restart and health check (H2):"
run_server "$work" --gantry.engine.poll=50ms
BENCH_TARGETS="$work/targets" python3 "$root/bench/engine.py" "$server" "$token" "$work" targets "$sizes" "$parallelisms"
stop_server

# The no-op deployments spread over 50 targets (the engine's cost), then all on one target (which runs
# one deployment's steps at a time: the figure is how fast a queue of deployments drains through it).
for db in h2 postgresql; do
  for spread in "${BENCH_NOOP_TARGETS:-50}" 1; do
    w="$(mktemp -d)"
    if [ "$db" = postgresql ]; then
      schema="bench_$(date +%s)"
      PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema"
      run_server "$w" --gantry.engine.poll=50ms "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$schema" \
        --spring.datasource.username=postgres --spring.datasource.password=
    else
      run_server "$w" --gantry.engine.poll=50ms
    fi
    if [ "$spread" = 1 ]; then echo "All on one target ($db):"; else echo "Engine cost per step ($db, $spread targets):"; fi
    BENCH_NOOP_TARGETS="$spread" python3 "$root/bench/engine.py" "$server" "$token" "$w" noop "$noop"
    stop_server
    [ "$db" = postgresql ] && PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema $schema cascade"
    rm -rf "$w"
  done
done
