"""Pieces the benchmark drivers share (engine.py, agents.py): the API calls, configuration documents,
the sample app with its 10 MB payload, and the model's steps."""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Gantry:
    """The API of one server, as the admin whose token the server wrote at its first start."""

    def __init__(self, server, token):
        self.server, self.token = server, token

    def call(self, method, path, body=None, content_type="application/json"):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.server + "/api/v1" + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:   # the answer's body says why
            raise RuntimeError("%s %s: %d %s" % (method, path, e.code, e.read().decode(errors="replace")[:2000])) from None

    def apply_more(self, docs, reason, kept):
        """Applies these documents beside those applied before through this method with the same file kept (a
        directory holds the whole desired state: what is not declared again is planned for deletion)."""
        before = json.load(open(kept)) if os.path.exists(kept) else []
        answer = self.apply(before + docs, reason)
        json.dump(before + docs, open(kept, "w"))
        return answer

    def apply(self, docs, reason):
        return self.call("POST", "/config/apply", {"files": [{"name": "bench.yaml", "content": "---\n".join(docs)}],
                                                   "reason": reason})

    def push(self, component, version, files, service="bench"):
        boundary = "benchboundary"
        parts = [b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
                 b"Content-Type: application/json\r\n\r\n" + json.dumps({"version": version}).encode() + b"\r\n"]
        for path, content in files.items():
            parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\""
                         + path.encode() + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
        parts.append(b"--" + boundary.encode() + b"--\r\n")
        self.call("POST", "/services/" + service + "/components/" + component + "/versions", b"".join(parts),
                  "multipart/form-data; boundary=" + boundary)

    def deploy_and_wait(self, component, version, environment):
        d = self.call("POST", "/deployments", {"component": "bench/" + component, "version": version,
                                               "environment": environment})
        while True:
            state = self.call("GET", "/deployments/%d" % d["id"])
            if state["state"] in ("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED"):
                return state
            time.sleep(0.1)


def doc(kind, name, spec):
    return "apiVersion: gantry.io/v1\nkind: %s\nmetadata: {name: %s}\nspec:\n%s" % (kind, name, spec)


def sample_files(blob):
    """The sample app's files with a payload.bin of the given bytes (the 10 MB artifact)."""
    app = os.path.join(ROOT, "examples/sample-app")
    files = {"payload.bin": blob}
    for dirpath, _, names in os.walk(app):
        for n in names:
            full = os.path.join(dirpath, n)
            files[os.path.relpath(full, app)] = open(full, "rb").read()
    return files


def stage(name, environment, parallel):
    """A model's stage deploying the sample app: artifact install, configuration template, restart, and the
    health check as its acceptance."""
    return """    - name: %s
      environment: %s
      strategy: {type: all-at-once, maxParallel: %d}
      steps:
        - {name: install, type: artifact.install, destination: releases, idempotent: true}
        - {name: configure, type: template, source: config/app.properties.tmpl, destination: current/app.properties}
        - {name: restart, type: shell, command: ./current/bin/restart.sh, timeout: 1m}
      acceptance:
        - {name: health, type: http-check, url: "http://127.0.0.1:${port}/health", expectBody: UP, retries: 200, interval: 50ms, deadline: 60s}
      failurePolicy: {action: stop}
""" % (name, environment, parallel)


def machine_busy():
    """The CPU seconds this machine has spent on anything but idling and waiting for I/O since it started, all
    cores together (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def step_means(d):
    """Each step's mean time per target, then the mean time a target spent between its steps (its start to its
    first step, from one step's end to the next one's start, its last step's end to its own end), of deployment d
    as GET /deployments/{id} gives it."""
    import datetime
    import statistics

    def at(text):
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    spent, between = {}, []
    for t in d.get("targets") or []:
        steps = [s for s in t.get("steps") or [] if s.get("startedAt") and s.get("finishedAt")]
        for step in steps:
            spent.setdefault(step["name"], []).append((at(step["finishedAt"]) - at(step["startedAt"])).total_seconds())
        if steps and t.get("startedAt") and t.get("finishedAt"):
            busy = sum((at(s["finishedAt"]) - at(s["startedAt"])).total_seconds() for s in steps)
            between.append((at(t["finishedAt"]) - at(t["startedAt"])).total_seconds() - busy)
    return ", ".join(["%s %.3f" % (name, statistics.mean(v)) for name, v in spent.items()]
                     + (["between steps %.3f" % statistics.mean(between)] if between else []))


def real_environment(service, env, size):
    """An environment of `size` local targets (folders SERVICE/ENV-tN, each with a free port for its app in its
    facts), its component app-ENV and a model deploying it with stage() to all of them at once."""
    import socket
    docs = [doc("Environment", env, "  purpose: test\n  owner: %s\n" % service),
            doc("Component", "app-" + env, "  service: %s\n  type: software\n" % service)]
    for i in range(size):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))  # a free port for the target's app (freed at once: a small race, accepted)
        port = s.getsockname()[1]
        s.close()
        docs.append(doc("Target", "%s-t%d" % (env, i), '  environment: %s\n  kind: local\n  path: %s/%s-t%d\n'
                        '  facts: {port: "%d"}\n' % (env, service, env, i, port)))
    docs.append(doc("DeploymentModel", "model-" + env, "  appliesTo: {components: [%s/app-%s]}\n"
                    "  stages:\n%s" % (service, env, stage("run", env, size))))
    return docs


def kill_apps(pattern):
    """Stops the sample apps whose pid files match the shell pattern."""
    subprocess.run(["sh", "-c", "for f in %s; do [ -f $f ] && kill $(cat $f) 2>/dev/null; done" % pattern])
