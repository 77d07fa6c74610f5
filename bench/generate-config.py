#!/usr/bin/env python3
"""Writes a large configuration: N components over services, four environments and M models."""
import os
import sys

out, components, models = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
services = max(1, components // 20)
os.makedirs(out, exist_ok=True)


def doc(kind, name, spec, extra_meta=""):
    return f"apiVersion: gantry.io/v1\nkind: {kind}\nmetadata:\n  name: {name}\n{extra_meta}spec:\n{spec}---\n"


with open(f"{out}/environments.yaml", "w") as f:
    chain = ["dev", "test", "staging", "production"]
    purposes = ["development", "test", "staging", "production"]
    for i, env in enumerate(chain):
        nxt = f"[{chain[i + 1]}]" if i + 1 < len(chain) else "[]"
        f.write(doc("Environment", env, f"  purpose: {purposes[i]}\n  controlled: {str(i >= 2).lower()}\n"
                    f"  owner: platform\n  promotesTo: {nxt}\n"))
        f.write(doc("Target", f"{env}-node-1", f"  environment: {env}\n  kind: local\n  path: {env}-node-1\n"))

with open(f"{out}/services.yaml", "w") as f:
    for s in range(services):
        f.write(doc("Service", f"svc-{s}", f"  owner: team-{s % 10}\n"))

with open(f"{out}/components.yaml", "w") as f:
    for c in range(components):
        f.write(doc("Component", f"comp-{c}", f"  service: svc-{c % services}\n  type: software\n"
                    f"  model: model-{c % models}\n"))

os.makedirs(f"{out}/models", exist_ok=True)
for m in range(models):
    with open(f"{out}/models/model-{m}.yaml", "w") as f:
        stages = ""
        for env, auth in [("test", "automatic"), ("staging", "approval"), ("production", "change")]:
            stages += f"""    - name: {env}
      environment: {env}
      authorization: {auth}
      strategy: {{type: rolling, batchSize: "25%", maxParallel: 4}}
      steps:
        - {{name: install, type: artifact.install, destination: /opt/app}}
        - {{name: restart, type: shell, command: "systemctl restart app-{m}", timeout: 2m}}
      acceptance:
        - {{name: health, type: http-check, url: "http://127.0.0.1:8080/health", expectStatus: 200, retries: 5, interval: 2s}}
      failurePolicy: {{action: rollback}}
"""
        f.write(doc("DeploymentModel", f"model-{m}",
                    f"  appliesTo:\n    services: [svc-{m % services}]\n  stages:\n{stages}"
                    f"  triggers:\n    - {{type: version-registered, stage: test}}\n"))
