package io.gantry.release;

import io.gantry.catalog.ArtifactStore;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.Services;
import io.gantry.catalog.TrustedKeys;
import io.gantry.config.ConfigFile;
import io.gantry.config.ConfigInterpreter;
import io.gantry.config.ConfigLoader;
import io.gantry.config.ConfigService;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.Engine;
import io.gantry.environment.Environments;
import io.gantry.environment.Targets;
import io.gantry.execution.StepRunner;
import io.gantry.model.Models;
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
 * Repositories, releases, the release gate and an engine over one test database, built by hand. The
 * service {@code shop} has {@code db}, {@code web} (requires db 3.x) and {@code app-config} (requires
 * web 2.x); every step appends the version it deploys (or removes) to {@code order.log} on the one
 * target of {@code qa} (at its top, beside the components' folders), so the file is the order in which the
 * members ran.
 */
final class ReleaseFixture {

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: q1}
      spec: {environment: qa, kind: local, path: q1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: db}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec:
        service: shop
        type: software
        requires: [{component: shop/db, version: ">=3.0.0, <4.0.0"}]
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: app-config}
      spec:
        service: shop
        type: software
        requires: [{component: shop/web, version: ">=2.0.0, <3.0.0"}]
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: qa
            environment: qa
            steps:
              - {name: run, type: shell, command: "STEP", timeout: 30s}
            removeSteps:
              - {name: remove, type: shell, command: "echo removed-$GANTRY_VERSION >> ../order.log", timeout: 30s}
            failurePolicy: {action: FAILURE}
      """;

  /** Appends the version; fails for the version named by {@link #failing}. */
  static String step(String failing) {
    return "[ $GANTRY_VERSION != " + failing + " ] && echo $GANTRY_VERSION >> ../order.log";
  }

  final TestDatabase.Instance db;
  final Library library;
  final Deployments deployments;
  final DeploymentRequests requests;
  final Releases releases;
  final ReleaseRecords records;
  final ReleaseGate gate;
  final ConfigService config;
  /** The gates the requests and the engine consult; a test may swap the release gate. */
  final List<DeploymentGate> gates = new CopyOnWriteArrayList<>();
  final Path dataDir;
  private final Path home;
  private final Models models;
  private final Environments environments;
  private final Targets targets;
  private final Clock clock;

  /** {@code home} holds the data directory ({@code home/data}) and the local targets beside it ({@code home/targets}). */
  ReleaseFixture(TestDatabase.Instance db, Clock clock, Path home) {
    this.db = db;
    this.clock = clock;
    this.home = home;
    this.dataDir = home.resolve("data");
    var services = new Services(db.jdbc(), clock);
    var components = new Components(db.jdbc(), clock);
    var versions = new ComponentVersions(db.jdbc());
    environments = new Environments(db.jdbc(), clock);
    targets = new Targets(db.jdbc(), clock);
    models = new Models(db.jdbc(), clock);
    library = new Library(components, versions, new ArtifactStore(dataDir), db.transactions(), clock, 1 << 20);
    deployments = new Deployments(db.jdbc());
    requests = new DeploymentRequests(components, library, environments, models, deployments, db.transactions(), clock,
        () -> gates);
    config = new ConfigService(new ConfigLoader(), new ConfigInterpreter(), environments, targets, services,
        components, versions, models, new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(), clock,
        new io.gantry.identity.RoleBindings(db.jdbc(), clock), new io.gantry.identity.Users(db.jdbc(), clock));
    records = new ReleaseRecords(db.jdbc());
    releases = new Releases(records, components, library, environments, models, deployments, requests,
        db.transactions(), clock);
    gate = new ReleaseGate(releases, deployments);
    gates.add(gate);
  }

  /** The configuration with the step and failure policy given, and versions of each component pushed. */
  ReleaseFixture configured(String step, String failurePolicy, Map<String, List<String>> versions) {
    config.apply(List.of(new ConfigFile("test.yaml", CONFIG.replace("STEP", step).replace("FAILURE", failurePolicy))),
        "test", "alice");
    versions.forEach((component, list) -> list.forEach(version -> library.push(new Library.Push(
        new ComponentRef("shop", component), version, Map.of(), List.of(new Library.Upload("run.sh",
            () -> new ByteArrayInputStream("echo ok\n".getBytes(StandardCharsets.UTF_8)))), List.of()), "alice")));
    return this;
  }

  Engine engine() {
    return new Engine(deployments, models, library, environments, targets, new StepRunner(clock), db.transactions(),
        clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), 4, () -> gates);
  }

  /** Advances every deployment until none is left to advance now. */
  void runAll() {
    if (engine == null) {
      engine = engine();
    }
    engine.runDue();
  }

  private Engine engine;

  Path log() {
    return home.resolve("targets/q1/order.log");
  }
}
