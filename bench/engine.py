#!/usr/bin/env python3
"""Engine benchmark driver (run through bench/engine.sh, which starts the server).

1. Deploy a 10 MB artifact with configuration, restart and health check to N local targets at a
   parallelism, through Gantry and through a plain bash script doing the same work, taking turns,
   BENCH_RUNS times (default 3); print the median times, their ratio and the range of each run's ratio.
2. The engine's own cost per step: deployments of ten no-op steps (wait 0ms), spread over
   BENCH_NOOP_TARGETS targets (default 50; a target runs one deployment's steps at a time; with 1,
   how fast a queue of deployments drains through one target), all requested first (the time the requests take is printed apart) and planned to start at one
   instant; timed from that instant to the end of the last.
3. (mode real, run by bench/scale.sh) Deployments of 1.'s shape to 10 local targets each (BENCH_REAL_TARGETS),
   spread over BENCH_REAL_ENVS environments (default 3) of their own targets, all requested first and planned
   to start at one instant, versions taking turns so that each deployment changes what runs; timed from that
   instant to the end of the last.
4. (mode ssh, run by bench/engine.sh --ssh) The deployment of 1. to N targets of kind ssh, reached through the
   OpenSSH server BENCH_SSH names ("host port user key fingerprint folder"), and to N local targets, the same
   model's stage for both, taking turns BENCH_RUNS times; print the median times and their ratio.
"""
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time

from benchlib import Gantry, doc, kill_apps, machine_busy, real_environment, sample_files, stage, step_means

server, token, work, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


gantry = Gantry(server, token)
call, apply, push, deploy_and_wait = gantry.call, gantry.apply, gantry.push, gantry.deploy_and_wait


if mode == "targets":
    sizes = [int(n) for n in sys.argv[5].split(",")]
    parallelisms = [int(p) for p in sys.argv[6].split(",")]
    files = sample_files(os.urandom(10 * 1024 * 1024))
    docs = [doc("Service", "bench", "  owner: bench\n")]
    port = 21000
    plans = []
    for n in sizes:
        for p in parallelisms:
            env = "n%d-p%d" % (n, p)
            docs.append(doc("Environment", env, "  purpose: test\n  owner: bench\n"))
            docs.append(doc("Component", "app-" + env, "  service: bench\n  type: software\n"))
            targets = []
            for i in range(n):
                name = "%s-t%d" % (env, i)
                docs.append(doc("Target", name, '  environment: %s\n  kind: local\n  path: bench/%s\n'
                                '  facts: {port: "%d"}\n' % (env, name, port)))
                targets.append((name, port))
                port += 1
            docs.append(doc("DeploymentModel", "model-" + env, "  appliesTo: {components: [bench/app-%s]}\n"
                            "  stages:\n%s" % (env, stage("run", env, p))))
            plans.append((n, p, env, targets))
    apply(docs, "engine benchmark")
    data = os.environ["BENCH_TARGETS"]  # the local root: relative target paths are under it
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    for n, p, env, targets in plans:
        src = os.path.join(work, "src-" + env)
        os.makedirs(src)
        for path, content in files.items():
            os.makedirs(os.path.dirname(os.path.join(src, path)) or src, exist_ok=True)
            open(os.path.join(src, path), "wb").write(content)
        digest = subprocess.run(["sha256sum", os.path.join(src, "payload.bin")], capture_output=True, text=True).stdout.split()[0]
        gantry_times, script_times = [], []
        # Gantry and the script take turns, so that a noisy moment of the machine falls on both.
        for run in range(runs):
            version = "1.0.%d" % run
            push("app-" + env, version, files)
            start = time.monotonic()
            d = deploy_and_wait("app-" + env, version, env)
            gantry_times.append(time.monotonic() - start)
            assert d["state"] == "SUCCEEDED", d
            kill_apps("%s/bench/%s-t*/app.pid %s/bench/%s-t*/*/app.pid" % (data, env, data, env))
            # the same work by a plain bash script, into fresh folders, with the same ports
            script_root = os.path.join(work, "script", env, str(run))
            os.makedirs(script_root)
            lines = "\n".join("%s %d" % (os.path.join(script_root, t), port) for t, port in targets)
            start = time.monotonic()
            subprocess.run(["bash", os.path.join(ROOT, "bench/deploy-by-script.sh"), src, digest, str(p)], input=lines,
                           text=True, check=True)
            script_times.append(time.monotonic() - start)
            kill_apps("%s/*/app.pid" % script_root)
            shutil.rmtree(script_root, ignore_errors=True)
        for t, _ in targets:
            shutil.rmtree(os.path.join(data, "bench", t), ignore_errors=True)
        gantry, script = statistics.median(gantry_times), statistics.median(script_times)
        ratios = sorted(g / s for g, s in zip(gantry_times, script_times))
        print("  N=%-4d parallelism %-3d gantry %7.2f s   script %7.2f s   ratio %.2fx   (median of %d; each run %.2f-%.2fx)"
              % (n, p, gantry, script, gantry / script, runs, ratios[0], ratios[-1]), flush=True)
elif mode == "real":
    import datetime
    count = int(sys.argv[5])
    envs = int(os.environ.get("BENCH_REAL_ENVS", "3"))
    size = int(os.environ.get("BENCH_REAL_TARGETS", "10"))
    files = sample_files(os.urandom(10 * 1024 * 1024))
    docs = [doc("Service", "bench", "  owner: bench\n")]
    for e in range(envs):
        docs += real_environment("bench", "real-%d" % e, size)
    gantry.apply_more(docs, "engine benchmark: real deployments", os.path.join(work, "applied.json"))
    for e in range(envs):
        for v in range(min(2, -(-count // envs))):
            push("app-real-%d" % e, "1.0.%d" % v, files)
    start_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) \
        + datetime.timedelta(seconds=5 + count * 0.05)
    t = time.monotonic()
    for c in range(count):
        call("POST", "/deployments", {"component": "bench/app-real-%d" % (c % envs), "version": "1.0.%d" % (c // envs % 2),
                                      "environment": "real-%d" % (c % envs),
                                      "at": start_at.isoformat().replace("+00:00", "Z")})
    requested = time.monotonic() - t
    if datetime.datetime.now(datetime.timezone.utc) >= start_at:
        sys.exit("the requests took longer than planned (until %s); the engine started before they were all in" % start_at)
    try:
        while True:
            done = call("GET", "/deployments?service=bench&state=SUCCEEDED&size=1")["total"]
            if done >= count:
                break
            for bad in ("FAILED", "ROLLED_BACK", "CANCELLED"):
                page = call("GET", "/deployments?service=bench&state=%s&size=1" % bad)
                assert page["total"] == 0, page
            time.sleep(0.2)
        elapsed = (datetime.datetime.now(datetime.timezone.utc) - start_at).total_seconds()
    finally:
        kill_apps("%s/bench/real-*/app.pid" % os.environ["BENCH_TARGETS"])
    print("  %d deployments to %d local targets (10 MB artifact, configuration, restart, health check), %d at a time "
          "on their own targets, from their planned start: %.1f s, %.1f s each" % (count, size, envs, elapsed,
                                                                                 elapsed / count), flush=True)
elif mode == "ssh":
    sizes = [int(n) for n in sys.argv[5].split(",")]
    parallelisms = [int(p) for p in sys.argv[6].split(",")]
    host, ssh_port, user, key, fingerprint, folder = os.environ["BENCH_SSH"].split(" ")
    files = sample_files(os.urandom(10 * 1024 * 1024))
    docs = [doc("Service", "bench", "  owner: bench\n")]
    port = 21000
    plans = []
    for n in sizes:
        for p in parallelisms:
            kinds = {}
            for kind in ("ssh", "local"):
                env = "%s-n%d-p%d" % (kind, n, p)
                docs.append(doc("Environment", env, "  purpose: test\n  owner: bench\n"))
                docs.append(doc("Component", "app-" + env, "  service: bench\n  type: software\n"))
                for i in range(n):
                    name = "%s-t%d" % (env, i)
                    if kind == "ssh":
                        where = ("  kind: ssh\n  path: %s/%s\n  ssh: {host: %s, port: %s, user: %s, identityFile: %s, "
                                 "hostKey: \"%s\"}\n" % (folder, name, host, ssh_port, user, key, fingerprint))
                    else:
                        where = "  kind: local\n  path: bench/%s\n" % name
                    docs.append(doc("Target", name, '  environment: %s\n%s  facts: {port: "%d"}\n' % (env, where, port)))
                    port += 1
                # the same stage for both kinds: only the environment differs
                docs.append(doc("DeploymentModel", "model-" + env, "  appliesTo: {components: [bench/app-%s]}\n"
                                "  stages:\n%s" % (env, stage("run", env, p))))
                kinds[kind] = env
            plans.append((n, p, kinds))
    apply(docs, "engine benchmark: ssh targets")
    data = os.environ["BENCH_TARGETS"]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    pids = {"ssh": "%s/%%s-t*/app.pid %s/%%s-t*/*/app.pid" % (folder, folder),
            "local": "%s/bench/%%s-t*/app.pid %s/bench/%%s-t*/*/app.pid" % (data, data)}
    warmups = int(os.environ.get("BENCH_WARMUP", "1"))  # deployments of each kind before the counted runs
    verbose = os.environ.get("BENCH_VERBOSE") == "1"  # each run's times too
    for n, p, kinds in plans:
        times = {"ssh": [], "local": []}
        # ssh and local take turns at going first, so that a noisy moment of the machine falls on both; the
        # warm-up deployment of each (shown, not counted) is where the server compiles the code of each kind's
        # steps, as it does once in a server's life
        for run in range(-warmups, runs):
            version = "1.0.%d" % (run + warmups)
            took = {}
            for kind in (("ssh", "local") if run % 2 == 0 else ("local", "ssh")):
                env = kinds[kind]
                push("app-" + env, version, files)
                busy = machine_busy()
                start = time.monotonic()
                d = deploy_and_wait("app-" + env, version, env)
                took[kind] = time.monotonic() - start
                busy = machine_busy() - busy
                if os.environ.get("BENCH_MARKS") == "1":  # CLOCK_MONOTONIC, as perf record -k mono stamps its samples
                    print("           mark %s %.3f %.3f" % (kind, start, start + took[kind]), flush=True)
                if verbose:
                    print("           %-5s steps (mean s per target): %s; the machine's CPU %.1f s"
                          % (kind, step_means(d), busy), flush=True)
                if run >= 0:
                    times[kind].append(took[kind])
                assert d["state"] == "SUCCEEDED", d
                kill_apps(pids[kind] % (env, env))
            if run < 0 or verbose:
                print("         %s: ssh %.2f s, local %.2f s" % ("warm-up (not counted)" if run < 0 else "run %d" % (run + 1),
                      took["ssh"], took["local"]), flush=True)
        over_ssh, local = statistics.median(times["ssh"]), statistics.median(times["local"])
        ratios = sorted(s / l for s, l in zip(times["ssh"], times["local"]))
        print("  N=%-4d parallelism %-3d ssh %7.2f s   local %7.2f s   ratio %.2fx   (median of %d; each run %.2f-%.2fx)"
              % (n, p, over_ssh, local, over_ssh / local, runs, ratios[0], ratios[-1]), flush=True)
else:
    count = int(sys.argv[5])
    # A target runs one deployment's steps at a time, so the deployments are spread over TARGETS targets,
    # each alone in an environment of its own: on one target they would run one after another, and the
    # figure would be that target's latency rather than the engine's cost.
    targets = int(os.environ.get("BENCH_NOOP_TARGETS", "50"))
    steps = "".join("        - {name: s%d, type: wait, duration: 0ms}\n" % i for i in range(10))
    docs = []
    for k in range(targets):
        docs += [doc("Service", "bench-%d" % k, "  owner: bench\n"),
                 doc("Environment", "noop-%d" % k, "  purpose: test\n  owner: bench\n"),
                 doc("Target", "noop-%d" % k, "  environment: noop-%d\n  kind: local\n  path: bench/noop-%d\n" % (k, k)),
                 doc("DeploymentModel", "noop-%d" % k, """  appliesTo: {services: [bench-%d]}
  stages:
    - name: run
      environment: noop-%d
      steps:
%s""" % (k, k, steps))]
    for c in range(count):
        docs.append(doc("Component", "noop-%d" % c, "  service: bench-%d\n  type: software\n" % (c % targets)))
    gantry.apply_more(docs, "engine benchmark: no-op steps", os.path.join(work, "applied.json"))
    for c in range(count):
        push("noop-%d" % c, "1.0.0", {"a.txt": b"x"}, "bench-%d" % (c % targets))
    # Every deployment is requested first, all planned to start at one instant after the last request,
    # so that the engine's work is timed on its own: from that instant to the end of the last one.
    import datetime
    start_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) \
        + datetime.timedelta(seconds=10 + count * 0.03)
    t = time.monotonic()
    for c in range(count):
        call("POST", "/deployments", {"component": "bench-%d/noop-%d" % (c % targets, c), "version": "1.0.0",
                                      "environment": "noop-%d" % (c % targets),
                                      "at": start_at.isoformat().replace("+00:00", "Z")})
    requested = time.monotonic() - t
    print("  %d deployment requests: %.1f s, %.1f ms each" % (count, requested, requested * 1000 / count), flush=True)
    if datetime.datetime.now(datetime.timezone.utc) >= start_at:
        sys.exit("the requests took longer than planned (until %s); the engine started before they were all in" % start_at)
    polls = 0
    while True:
        page = call("GET", "/deployments?state=SUCCEEDED&size=1")
        if page["total"] >= count:
            break
        polls += 1
        if polls % 10 == 0:
            failed = call("GET", "/deployments?state=FAILED&size=1")
            assert failed["total"] == 0, failed
        time.sleep(0.1)
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - start_at).total_seconds()
    print("  %d deployments x 10 no-op steps, from their planned start: %.1f s, %.2f ms per step "
          "(deployment overhead included)" % (count, elapsed, elapsed * 1000 / (count * 10)), flush=True)
