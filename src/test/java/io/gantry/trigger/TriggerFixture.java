package io.gantry.trigger;

import io.gantry.catalog.ArtifactStore;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.Services;
import io.gantry.catalog.TrustedKeys;
import io.gantry.catalog.VersionStatus;
import io.gantry.config.ConfigFile;
import io.gantry.config.ConfigInterpreter;
import io.gantry.config.ConfigLoader;
import io.gantry.config.ConfigService;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.Engine;
import io.gantry.environment.Environments;
import io.gantry.environment.Targets;
import io.gantry.execution.StepRunner;
import io.gantry.model.Models;
import io.gantry.shared.PageRequest;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The repositories, the engine and the trigger sweep over one test database, built by hand the way the
 * deployment module's engine fixture builds them. {@link #server()} gives a new sweep, as another
 * server (or the same one after a restart) would have.
 */
final class TriggerFixture {

  /** Three environments (live controlled) with one local target each, one service with two components. */
  static final String BASE = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: dev}
      spec: {purpose: development, owner: dev-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: test}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, controlled: true, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: d1}
      spec: {environment: dev, kind: local, path: d1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: test, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: l1}
      spec: {environment: live, kind: local, path: l1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: manual}
      spec: {service: shop, type: documentation}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: in-house-software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: dev
            environment: dev
            steps:
              - {name: run, type: shell, command: "true", timeout: 30s}
          - name: test
            environment: test
            steps:
              - {name: run, type: shell, command: "true", timeout: 30s}
          - name: live
            environment: live
            steps:
              - {name: run, type: shell, command: "true", timeout: 30s}
      """;

  final TestDatabase.Instance db;
  final Clock clock;
  final Library library;
  final Deployments deployments;
  final DeploymentRequests requests;
  final ConfigService config;
  final Models models;
  final Components components;
  final Environments environments;
  final Firings firings;
  final List<DeploymentGate> gates = new CopyOnWriteArrayList<>();
  final Engine engine;

  /** {@code home} holds the data directory ({@code home/data}) and the local targets beside it ({@code home/targets}). */
  TriggerFixture(TestDatabase.Instance db, Clock clock, Path home) {
    Path dataDir = home.resolve("data");
    this.db = db;
    this.clock = clock;
    var services = new Services(db.jdbc(), clock);
    components = new Components(db.jdbc(), clock);
    var versions = new ComponentVersions(db.jdbc());
    environments = new Environments(db.jdbc(), clock);
    var targets = new Targets(db.jdbc(), clock);
    models = new Models(db.jdbc(), clock);
    library = new Library(components, versions, new ArtifactStore(dataDir), db.transactions(), clock, 1 << 20);
    deployments = new Deployments(db.jdbc());
    requests = new DeploymentRequests(components, library, environments, models, deployments, db.transactions(),
        clock, () -> gates);
    config = new ConfigService(new ConfigLoader(), new ConfigInterpreter(), environments, targets, services,
        components, versions, models, new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(), clock,
        new io.gantry.identity.RoleBindings(db.jdbc(), clock), new io.gantry.identity.Users(db.jdbc(), clock));
    firings = new Firings(db.jdbc());
    engine = new Engine(deployments, models, library, environments, targets, new StepRunner(clock),
        db.transactions(), clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), 4, () -> gates);
  }

  /** The base configuration with the in-house-software model's stages given these triggers (YAML lines). */
  void applyWithTriggers(String... triggers) {
    StringBuilder yaml = new StringBuilder(BASE);
    if (triggers.length > 0) {
      yaml.append("  triggers:\n");
      for (String t : triggers) {
        yaml.append("    - ").append(t).append('\n');
      }
    }
    try {
      config.apply(List.of(new ConfigFile("test.yaml", yaml.toString())), "triggers " + List.of(triggers), "alice");
    } catch (io.gantry.shared.InvalidInputException e) {
      throw new AssertionError(e.getMessage() + ": " + e.findings(), e);
    }
  }

  /** A sweep as a newly started server has it: nothing in memory, everything from the database. */
  TriggerSweep server() {
    return new TriggerSweep(models, components, library, deployments, requests, new Firings(db.jdbc()),
        db.transactions(), clock);
  }

  void push(String component, String version) {
    library.push(new Library.Push(ComponentRef.parse(component), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "carol");
  }

  void approve(String component, String version) {
    var v = library.get(ComponentRef.parse(component), version);
    library.changeStatus(v.component(), version, VersionStatus.APPROVED, "passed review", v.rowVersion(), "dave");
  }

  List<Deployment> deploymentsTo(String environment) {
    return deployments.page(new Deployments.Filter(environment, null, null, null), PageRequest.all()).items()
        .reversed();
  }

  List<Deployment> allDeployments() {
    return deployments.page(new Deployments.Filter(null, null, null, null), PageRequest.all()).items().reversed();
  }

  List<Firing> firings() {
    return firings.page(null, PageRequest.all()).items().reversed();
  }

  /** Runs the engine until nothing is due; answers the deployment as it then stands. */
  Deployment run(Deployment d) {
    for (int i = 0; i < 20 && engine.runDue() > 0; i++) {
      // each pass carries due deployments as far as they go
    }
    return deployments.get(d.id());
  }
}
