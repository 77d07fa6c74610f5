#!/usr/bin/env python3
"""Soak driver (run through bench/soak.sh, which starts the servers and wrk).

Run: soak.py URLS TOKEN WORK MINUTES PIDS   (URLS and PIDS: the servers' base URLs and JVM pids, comma-separated)

1. Applies a configuration through the first server: BENCH_SOAK_REAL environments (default 2) of
   BENCH_SOAK_REAL_TARGETS local targets each (default 3) running the sample app, deployed with the 10 MB
   artifact, a configuration template, a restart and a health check (benchlib.stage); and BENCH_SOAK_NOOP
   environments (default 4) of one target each, deployed with the 10-step no-op model. Pushes two versions
   of each no-op component, runs one no-op deployment and writes its id to WORK/ready (wrk reads it).
2. For MINUTES minutes keeps one deployment in flight per environment (a lane): each lane requests its
   next deployment as soon as the last ended, the real lanes pushing a new version first (the 10 MB payload
   and a file naming the version), the requests and the polls of their state going to the servers in turn.
   After MINUTES no lane requests more; the deployments in flight are waited for (at most 3 minutes).
3. Samples every server: every 5 s its connection pools (hikaricp_* of /actuator/prometheus: pending,
   active, max, timeouts); at the start and at the end of every minute the heap after a full collection
   (see bench/soak.sh for why one is forced) and the process's RSS.
4. Prints the deployments requested, succeeded, failed and otherwise ended (each one not SUCCEEDED listed
   with the end of its record), the API errors the driver met, per server the heap series and its change
   from minute 2 (minute 1 for runs under 4 minutes) to the end, the pools' figures, and PASS or FAIL for
   each; exits 1 if any failed.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time

from benchlib import Gantry, doc, real_environment, sample_files

urls, token, work, minutes = sys.argv[1].split(","), sys.argv[2], sys.argv[3], int(sys.argv[4])
pids = [int(p) for p in sys.argv[5].split(",")]
JCMD = os.environ.get("JCMD", "jcmd")
REAL = int(os.environ.get("BENCH_SOAK_REAL", "2"))
REAL_TARGETS = int(os.environ.get("BENCH_SOAK_REAL_TARGETS", "3"))
NOOP = int(os.environ.get("BENCH_SOAK_NOOP", "4"))
DRAIN = 180  # seconds the deployments in flight get to end once the time is up
FINAL = ("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED")

nodes = [Gantry(u, token) for u in urls]
turn = [0]
turn_lock = threading.Lock()


def node():
    """The servers in turn."""
    with turn_lock:
        turn[0] += 1
        return nodes[turn[0] % len(nodes)]


def log(text):
    print("  [%s] %s" % (time.strftime("%H:%M:%S"), text), flush=True)


# --- 1. configuration --------------------------------------------------------------------------------------
docs = [doc("Service", "soak", "  owner: soak\n")]
for e in range(REAL):
    docs += real_environment("soak", "real-%d" % e, REAL_TARGETS)
steps = "".join("        - {name: s%d, type: wait, duration: 0ms}\n" % i for i in range(10))
for k in range(NOOP):
    env = "noop-%d" % k
    docs += [doc("Environment", env, "  purpose: test\n  owner: soak\n"),
             doc("Component", "app-" + env, "  service: soak\n  type: software\n"),
             doc("Target", env, "  environment: %s\n  kind: local\n  path: soak/%s\n" % (env, env)),
             doc("DeploymentModel", "model-" + env, "  appliesTo: {components: [soak/app-%s]}\n  stages:\n"
                 "    - name: run\n      environment: %s\n      steps:\n%s" % (env, env, steps))]
nodes[0].apply(docs, "soak")
payload = sample_files(os.urandom(10 * 1024 * 1024))
for k in range(NOOP):
    for v in ("1.0.0", "1.0.1"):
        nodes[0].push("app-noop-%d" % k, v, {"a.txt": v.encode()}, "soak")

# --- 2. the lanes -------------------------------------------------------------------------------------------
results = []          # (id, lane, state)
api_errors = []       # (when, what)
lock = threading.Lock()
stop_requests = threading.Event()
give_up = [None]      # the monotonic time after which the lanes stop waiting


def api_error(what):
    with lock:
        api_errors.append((time.strftime("%H:%M:%S"), what))
    time.sleep(1)


def deploy(lane, component, version, environment):
    """Requests one deployment through the next server and follows it through the servers in turn until it
    ends (or the lanes give up); records it."""
    body = {"component": "soak/" + component, "version": version, "environment": environment}
    try:
        d = node().call("POST", "/deployments", body)
    except Exception as e:  # noqa: BLE001 (every failure of the API is counted)
        api_error("request of %s %s: %s" % (component, version, e))
        return None
    state = d["state"]
    while state not in FINAL:
        if give_up[0] is not None and time.monotonic() > give_up[0]:
            break
        time.sleep(0.2)
        try:
            state = node().call("GET", "/deployments/%d" % d["id"])["state"]
        except Exception as e:  # noqa: BLE001
            api_error("read of deployment %d: %s" % (d["id"], e))
    with lock:
        results.append((d["id"], lane, state))
    return d["id"]


def real_lane(e):
    env, n = "real-%d" % e, 0
    while not stop_requests.is_set():
        version = "2.%d.%d" % (e, n)
        files = dict(payload)
        files["build-info.txt"] = version.encode()
        try:
            node().push("app-" + env, version, files, "soak")
        except Exception as e2:  # noqa: BLE001
            api_error("push of app-%s %s: %s" % (env, version, e2))
            continue
        deploy(env, "app-" + env, version, env)
        n += 1


def noop_lane(k):
    env, n = "noop-%d" % k, 0
    while not stop_requests.is_set():
        deploy(env, "app-" + env, "1.0.%d" % (n % 2), env)
        n += 1


# --- 3. the samples -----------------------------------------------------------------------------------------
METRIC = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)')


def prometheus(i):
    import urllib.request
    req = urllib.request.Request(urls[i] + "/actuator/prometheus", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = METRIC.match(line)
        if m:
            out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


pools = {}   # (node, pool) -> {"pending": max, "active": max, "max": value, "timeouts": last, "acquire_max": max}
heap = [[] for _ in nodes]   # per node: (minute, live heap bytes after a full collection, RSS bytes)


def sample_pools():
    for i in range(len(nodes)):
        try:
            m = prometheus(i)
        except Exception as e:  # noqa: BLE001
            api_error("prometheus of server %d: %s" % (i + 1, e))
            continue
        for (name, labels), value in m.items():
            if not name.startswith("hikaricp_connections"):
                continue
            pool = re.search(r'pool="([^"]*)"', labels).group(1)
            p = pools.setdefault((i, pool), {"pending": 0, "active": 0, "max": 0, "timeouts": 0, "acquire_max": 0.0})
            if name == "hikaricp_connections_pending":
                p["pending"] = max(p["pending"], value)
            elif name == "hikaricp_connections_active":
                p["active"] = max(p["active"], value)
            elif name == "hikaricp_connections_max":
                p["max"] = value
            elif name == "hikaricp_connections_timeout_total":
                p["timeouts"] = value
            elif name == "hikaricp_connections_acquire_seconds_max":
                p["acquire_max"] = max(p["acquire_max"], value)


def sample_heap(minute):
    for i, pid in enumerate(pids):
        live = None
        try:
            # a full collection (System.gc(): G1's full GC leaves only live objects, all in the old regions); its
            # notification sets Micrometer's jvm_gc_live_data_size_bytes to the old regions' use after it
            subprocess.run([JCMD, str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
            time.sleep(1)
            live = prometheus(i).get(("jvm_gc_live_data_size_bytes", ""))
            if live is None:   # labelled, or not exposed: the JVM's own figure right after the collection
                info = subprocess.run([JCMD, str(pid), "GC.heap_info"], capture_output=True, text=True,
                                      timeout=60).stdout
                live = int(re.search(r"used (\d+)K", info).group(1)) * 1024
        except Exception as e:  # noqa: BLE001
            api_error("heap of server %d: %s" % (i + 1, e))
        rss = None
        try:
            status = open("/proc/%d/status" % pid).read()
            rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024
        except Exception:  # noqa: BLE001
            pass
        heap[i].append((minute, live, rss))


def mb(b):
    return "%.0f MB" % (b / 1e6) if b is not None else "?"


# --- the run ------------------------------------------------------------------------------------------------
first = deploy("setup", "app-noop-0", "1.0.0", "noop-0")
if first is None or results[-1][2] != "SUCCEEDED":
    sys.exit("the first deployment did not succeed: %s %s" % (results, api_errors))
sample_heap(0)
open(os.path.join(work, "ready.tmp"), "w").write(str(first))
os.rename(os.path.join(work, "ready.tmp"), os.path.join(work, "ready"))
start = time.monotonic()
log("%d servers; %d real lanes (%d targets each), %d no-op lanes, %d minutes"
    % (len(nodes), REAL, REAL_TARGETS, NOOP, minutes))
lanes = [threading.Thread(target=real_lane, args=(e,), daemon=True) for e in range(REAL)] \
    + [threading.Thread(target=noop_lane, args=(k,), daemon=True) for k in range(NOOP)]
for t in lanes:
    t.start()
minute = 0
while minute < minutes:
    next_minute = start + (minute + 1) * 60
    while time.monotonic() < next_minute - 5:
        sample_pools()
        time.sleep(min(5, max(0, next_minute - 5 - time.monotonic())))
    time.sleep(max(0, next_minute - time.monotonic()))
    minute += 1
    if minute == minutes:
        stop_requests.set()   # no lane requests more; the heap is sampled while the last ones run
    sample_pools()
    sample_heap(minute)
    with lock:
        done = len(results)
        ok = sum(1 for r in results if r[2] == "SUCCEEDED")
    log("minute %d: %d deployments ended (%d succeeded); heap after a full GC %s; RSS %s"
        % (minute, done, ok, ", ".join(mb(h[-1][1]) for h in heap), ", ".join(mb(h[-1][2]) for h in heap)))
give_up[0] = time.monotonic() + DRAIN
for t in lanes:
    t.join(DRAIN + 30)
sample_pools()

# --- 4. the report ------------------------------------------------------------------------------------------
failures = []
with lock:
    ended = list(results)
requested = len(ended)
by_state = {}
for _, _, state in ended:
    by_state[state] = by_state.get(state, 0) + 1
succeeded = by_state.get("SUCCEEDED", 0)
failed = by_state.get("FAILED", 0)
other = requested - succeeded - failed
real_count = sum(1 for r in ended if r[1].startswith("real"))
print("Deployments: %d requested (%d real, %d no-op), %d succeeded, %d failed, %d other%s"
      % (requested, real_count, requested - real_count, succeeded, failed, other,
         " (" + ", ".join("%s %d" % kv for kv in sorted(by_state.items()) if kv[0] not in ("SUCCEEDED", "FAILED")) + ")"
         if other else ""))
try:
    total = nodes[-1].call("GET", "/deployments?size=1")["total"]
    api_succeeded = nodes[-1].call("GET", "/deployments?state=SUCCEEDED&size=1")["total"]
    print("  the API counts %d deployments, %d SUCCEEDED" % (total, api_succeeded))
    if total != requested or api_succeeded != succeeded:
        failures.append("the API's counts differ from the driver's")
except Exception as e:  # noqa: BLE001
    api_error("counts: %s" % e)
bad = [r for r in ended if r[2] != "SUCCEEDED"]
for d_id, lane, state in bad[:20]:
    try:
        events = nodes[0].call("GET", "/deployments/%d/events" % d_id)
        items = events.get("items", events) if isinstance(events, dict) else events
        last = json.dumps(items[-3:])[:600]
    except Exception as e:  # noqa: BLE001
        last = "(its record could not be read: %s)" % e
    print("  #%d (%s) %s: %s" % (d_id, lane, state, last))
if bad:
    failures.append("%d deployments did not succeed" % len(bad))
print("API errors met by the driver: %d" % len(api_errors))
for when, what in api_errors[:20]:
    print("  %s %s" % (when, what))
if api_errors:
    failures.append("%d API errors" % len(api_errors))

base_minute = 2 if minutes >= 4 else 1
for i, series in enumerate(heap):
    print("Server %d (pid %d): heap after a full GC / RSS, by minute:" % (i + 1, pids[i]))
    print("  " + "  ".join("%d: %s / %s" % (m, mb(live), mb(rss)) for m, live, rss in series))
    base = next((live for m, live, _ in series if m == base_minute), None)
    end = series[-1][1]
    if base and end:
        change = (end - base) / base * 100
        verdict = "PASS" if abs(change) <= 10 else "FAIL"
        print("  heap from minute %d to minute %d: %s -> %s, %+.1f %%: %s"
              % (base_minute, series[-1][0], mb(base), mb(end), change, verdict))
        if verdict == "FAIL":
            failures.append("server %d's heap changed by %+.1f %%" % (i + 1, change))
    else:
        print("  heap: not sampled at minute %d and the end: FAIL" % base_minute)
        failures.append("server %d's heap not sampled" % (i + 1))
    rss = [r for _, _, r in series if r]
    if rss:
        print("  RSS from minute %d to the end: %s -> %s" % (base_minute, mb(next((r for m, _, r in series if m == base_minute), None)), mb(rss[-1])))
    for (n, pool), p in sorted(pools.items()):
        if n != i:
            continue
        verdict = "PASS" if p["timeouts"] == 0 and p["pending"] == 0 else "FAIL"
        print("  pool %s: at most %d of %d connections active, at most %d pending, %d timeouts, slowest acquire "
              "%.0f ms (sampled every 5 s): %s" % (pool, p["active"], p["max"], p["pending"], p["timeouts"],
                                                  p["acquire_max"] * 1000, verdict))
        if verdict == "FAIL":
            failures.append("server %d's pool %s: %d pending, %d timeouts" % (i + 1, pool, p["pending"], p["timeouts"]))
    if not any(n == i for n, _ in pools):
        failures.append("server %d's pools not sampled" % (i + 1))
print("Driver: %s" % ("PASS" if not failures else "FAIL (" + "; ".join(failures) + ")"), flush=True)
sys.exit(1 if failures else 0)
