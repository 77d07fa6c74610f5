#!/usr/bin/env python3
"""Agents benchmark driver (run through bench/agents.sh, which starts the server).

For each N: N targets of kind local and N targets of kind agent, in two environments, one model with a stage
for each (engine.py's steps: artifact install, configuration template, restart, HTTP health check). N agent
processes (`gantry agent`, as a user runs it: the launcher's JVM options and class data archive), each in a folder of its own, register with a registration token,
are approved and bound to a target through the API, and are waited for until each has been heard since its
approval. One deployment of each kind warms up (BENCH_WARMUP=0: none), shown and not counted. Then
BENCH_RUNS times (default 3): a new version with a new 10 MB payload is pushed and deployed to
the local targets and to the agent targets, the two taking turns at going first; the medians, their ratio, the
server's CPU time per deployment, the agents' CPU time and their resident memory are printed.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime

from benchlib import Gantry, doc, kill_apps, sample_files, stage, step_means

server, token, work, launcher = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sizes = [int(n) for n in sys.argv[5].split(",")]
parallel = int(sys.argv[6])
runs = int(os.environ.get("BENCH_RUNS", "3"))
warmups = int(os.environ.get("BENCH_WARMUP", "1"))  # deployments of each kind before the counted runs
verbose = os.environ.get("BENCH_VERBOSE") == "1"  # each run's figures too
agent_opts = os.environ.get("BENCH_AGENT_JAVA_OPTS", "")  # given to the launcher as GANTRY_JAVA_OPTS
server_pid = int(os.environ["BENCH_SERVER_PID"])
local_root = os.environ["BENCH_TARGETS"]  # the server's local root: relative target paths are under it
pids_file = os.path.join(work, "agent.pids")  # agents.sh stops these too, should this driver be killed
gantry = Gantry(server, token)
TICK = os.sysconf("SC_CLK_TCK")
agents = []


def stop_agents():
    for p in agents:
        if p.poll() is None:
            p.terminate()
    for p in agents:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    agents.clear()


def on_term(signum, frame):
    raise SystemExit("stopped by signal %d" % signum)


signal.signal(signal.SIGTERM, on_term)


def cpu(pid):
    """The process's CPU time so far (user + system), in seconds; 0 once it is gone."""
    try:
        fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def threads_cpu(pid):
    """The CPU time of the process's threads by name (digits left out), in seconds."""
    out = {}
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            name = "".join(c for c in open("/proc/%d/task/%s/comm" % (pid, task)).read().strip() if not c.isdigit())
            fields = open("/proc/%d/task/%s/stat" % (pid, task)).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / TICK
    return out


def agents_threads():
    """The CPU time of all the agents' threads by name, in seconds."""
    out = {}
    for p in agents:
        try:
            for t, c in threads_cpu(p.pid).items():
                out[t] = out.get(t, 0) + c
        except OSError:
            pass
    return out


def rss_mb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def wait_for(what, test, seconds):
    until = time.monotonic() + seconds
    while True:
        if test():
            return
        dead = [p for p in agents if p.poll() is not None]
        if dead:
            log = os.path.join(os.path.dirname(dead[0].args[dead[0].args.index("--work-dir") + 1]), "agent.log")
            sys.exit("an agent process ended (%s): %s\n%s" % (dead[0].returncode, " ".join(dead[0].args),
                                                               "".join(open(log).readlines()[-20:])))
        if time.monotonic() > until:
            sys.exit("timed out after %d s waiting for %s" % (seconds, what))
        time.sleep(0.5)


def start_agents(n, targets, folder):
    """Starts n agents, registers them with one token of n uses, approves each for its target, and waits until
    every one has been heard since its approval. Returns the seconds that took. The agents start in waves of
    BENCH_AGENT_WAVE (default 10), each once the one before has registered: a hundred JVMs starting at once on
    two cores take minutes to get to their first request."""
    started = time.monotonic()
    secret = gantry.call("POST", "/agent-registration-tokens",
                         {"name": "agents benchmark, N=%d" % n, "uses": n, "expiresInHours": 2})["token"]
    names = []
    wave = int(os.environ.get("BENCH_AGENT_WAVE", "10"))

    def registered():
        return sum(1 for a in gantry.call("GET", "/agents") if a["name"] in names) == len(names)

    for i in range(n):
        if i % wave == 0 and i > 0:
            wait_for("%d agents to register" % len(names), registered, 600)
        name = "bench-n%d-a%d" % (n, i)
        home = os.path.join(folder, "a%d" % i)
        os.makedirs(home)
        log = open(os.path.join(home, "agent.log"), "w")
        # the registration token through the environment, never the command line (which others may read)
        agents.append(subprocess.Popen(
            [launcher, "agent", "--server", server, "--name", name, "--work-dir", os.path.join(home, "work"),
             "--insecure-http"],
            cwd=home, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(os.environ, GANTRY_REGISTRATION_TOKEN=secret, GANTRY_JAVA_OPTS=agent_opts)))
        with open(pids_file, "a") as f:
            f.write("%d\n" % agents[-1].pid)
        names.append(name)
    wait_for("%d agents to register" % n, registered, 600)
    for name, (target, _) in zip(names, targets):
        gantry.call("POST", "/agents/%s/approve" % name, {"target": target})

    def connected():
        ready = [a for a in gantry.call("GET", "/agents") if a["name"] in names and a["state"] == "approved"
                 and datetime.fromisoformat(a["lastHeardAt"]) > datetime.fromisoformat(a["approvedAt"])]
        return len(ready) == n

    wait_for("%d agents to be heard after their approval" % n, connected, 300)
    return time.monotonic() - started


print("Gantry agents benchmark (%d cores); model: artifact install (10 MB), template, restart, health check; "
      "parallelism %d" % (os.cpu_count(), parallel), flush=True)
docs = [doc("Service", "bench", "  owner: bench\n")]
port = 21000
plans = []
for n in sizes:
    local_env, agent_env, component = "local-n%d" % n, "agents-n%d" % n, "app-n%d" % n
    docs.append(doc("Environment", local_env, "  purpose: test\n  owner: bench\n"))
    docs.append(doc("Environment", agent_env, "  purpose: test\n  owner: bench\n"))
    docs.append(doc("Component", component, "  service: bench\n  type: software\n"))
    local, remote = [], []
    for i in range(n):
        name = "%s-t%d" % (local_env, i)
        docs.append(doc("Target", name, '  environment: %s\n  kind: local\n  path: bench/%s\n  facts: {port: "%d"}\n'
                        % (local_env, name, port)))
        local.append((name, port))
        name = "%s-t%d" % (agent_env, i)
        docs.append(doc("Target", name, '  environment: %s\n  kind: agent\n  facts: {port: "%d"}\n'
                        % (agent_env, port + 1)))
        remote.append((name, port + 1))
        port += 2
    docs.append(doc("DeploymentModel", "model-n%d" % n, "  appliesTo: {components: [bench/%s]}\n  stages:\n%s%s"
                    % (component, stage("local", local_env, parallel), stage("agents", agent_env, parallel))))
    plans.append((n, local_env, agent_env, component, local, remote))
gantry.apply(docs, "agents benchmark")

try:
    for n, local_env, agent_env, component, local, remote in plans:
        folder = os.path.join(work, "agents-n%d" % n)
        took = start_agents(n, remote, folder)
        print("  N=%-4d %d agent processes started, registered, approved and heard in %.1f s"
              % (n, n, took), flush=True)
        local_apps = "%s/bench/%s-t*/app.pid %s/bench/%s-t*/*/app.pid" % (local_root, local_env, local_root, local_env)
        agent_apps = "%s/a*/work/targets/*/app.pid %s/a*/work/targets/*/*/app.pid" % (folder, folder)
        times = {"local": [], "agents": []}
        server_cpu = {"local": [], "agents": []}
        agents_cpu = []
        for run in range(-warmups, runs):
            version = "1.%d.%d" % (n, run + warmups)
            gantry.push(component, version, sample_files(os.urandom(10 * 1024 * 1024)))
            if run < 0:
                # the first deployment after the agents started: each agent's JVM compiles the code of its work as
                # it does it, once per process (a local deployment compiles it once, in the server). Shown, not
                # counted: agents run for months, and the server has compiled its side by then too.
                took = {}
                for side, env in (("local", local_env), ("agents", agent_env)):
                    agents_before = sum(cpu(p.pid) for p in agents)
                    start = time.monotonic()
                    d = gantry.deploy_and_wait(component, version, env)
                    took[side] = time.monotonic() - start
                    assert d["state"] == "SUCCEEDED", json.dumps(d)[:2000]
                    kill_apps(local_apps if side == "local" else agent_apps)
                print("         warm-up (not counted): local %.2f s, agents %.2f s, the agents' CPU %.1f s"
                      % (took["local"], took["agents"], sum(cpu(p.pid) for p in agents) - agents_before), flush=True)
                continue
            # the two take turns at going first, so that a noisy moment of the machine falls on both
            for side in (["local", "agents"] if run % 2 == 0 else ["agents", "local"]):
                env = local_env if side == "local" else agent_env
                server_before = cpu(server_pid)
                threads_before = threads_cpu(server_pid) if verbose else {}
                agent_threads_before = agents_threads() if verbose and side == "agents" else {}
                agents_before = sum(cpu(p.pid) for p in agents)
                start = time.monotonic()
                d = gantry.deploy_and_wait(component, version, env)
                times[side].append(time.monotonic() - start)
                if os.environ.get("BENCH_MARKS") == "1":  # CLOCK_MONOTONIC, as perf record -k mono stamps its samples
                    print("           mark %s %.3f %.3f" % (side, start, start + times[side][-1]), flush=True)
                server_cpu[side].append(cpu(server_pid) - server_before)
                if side == "agents":
                    agents_cpu.append(sum(cpu(p.pid) for p in agents) - agents_before)
                assert d["state"] == "SUCCEEDED", json.dumps(d)[:2000]
                if verbose:
                    print("         run %d %-6s %6.2f s, server CPU %.1f s%s" % (
                        run + 1, side, times[side][-1], server_cpu[side][-1],
                        ", agents' CPU %.1f s" % agents_cpu[-1] if side == "agents" else ""), flush=True)
                    spent = sorted(((t, c - threads_before.get(t, 0)) for t, c in threads_cpu(server_pid).items()),
                                   key=lambda x: -x[1])
                    print("           server threads: " + ", ".join("%s %.1f" % x for x in spent[:8]), flush=True)
                    print("           steps (mean s per target): " + step_means(d), flush=True)
                    if side == "agents":
                        spent = sorted(((t, c - agent_threads_before.get(t, 0)) for t, c in agents_threads().items()),
                                       key=lambda x: -x[1])
                        print("           agents' threads: " + ", ".join("%s %.1f" % x for x in spent[:8]), flush=True)
                kill_apps(local_apps if side == "local" else agent_apps)
        rss = [rss_mb(p.pid) for p in agents]
        local_time, agents_time = statistics.median(times["local"]), statistics.median(times["agents"])
        ratios = sorted(a / l for a, l in zip(times["agents"], times["local"]))
        print("  N=%-4d local %7.2f s   agents %7.2f s   ratio %.2fx   (median of %d; each run %.2f-%.2fx)"
              % (n, local_time, agents_time, agents_time / local_time, runs, ratios[0], ratios[-1]), flush=True)
        print("         server CPU per deployment: local %.1f s, agents %.1f s; the agents' CPU %.1f s; "
              "the agents' RSS %.0f MB (%.0f MB each)"
              % (statistics.median(server_cpu["local"]), statistics.median(server_cpu["agents"]),
                 statistics.median(agents_cpu), sum(rss), sum(rss) / len(rss)), flush=True)
        stop_agents()
        if not os.environ.get("BENCH_KEEP"):  # kept for a look afterwards: the agents' folders and logs
            shutil.rmtree(folder, ignore_errors=True)
        for t, _ in local:
            shutil.rmtree(os.path.join(local_root, "bench", t), ignore_errors=True)
finally:
    stop_agents()
