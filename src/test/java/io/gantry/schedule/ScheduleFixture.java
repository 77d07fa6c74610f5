package io.gantry.schedule;

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
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The repositories, the engine and the schedule module over one test database, built by hand the
 * way the deployment module's engine fixture builds them, with the schedule gate among the gates.
 */
final class ScheduleFixture {

  /** Two environments with one local target each, two services, a model whose live stage has a window. */
  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: q1}
      spec: {environment: qa, kind: local, path: q1}
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
      kind: Service
      metadata: {name: billing}
      spec: {owner: team-billing}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec:
        service: shop
        type: software
        requires:
          - {component: shop/db, version: ">=1.0.0, <2.0.0"}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: db}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: api}
      spec: {service: billing, type: software}
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
              - {name: run, type: shell, command: "true", timeout: 30s}
          - name: live
            environment: live
            windows:
              - {days: [tue], start: "20:00", end: "22:00", timeZone: Europe/London}
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
  final Freezes freezes;
  final Conflicts conflicts;
  final ScheduleRows rows;
  final ScheduleSettings settings;
  final FreezeDeclarations declarations;
  final ForwardSchedule schedule;
  final Backlog backlog;
  final ScheduleGate gate;
  /** The emergency changes the gate asks about; tests add their own. */
  final List<FreezeExemptions> exemptions = new CopyOnWriteArrayList<>();
  final List<DeploymentGate> gates = new CopyOnWriteArrayList<>();
  final Engine engine;
  /** The release each deployment belongs to, as the conflict finder sees it; none unless a test says so. */
  volatile java.util.function.Function<Long, java.util.Optional<io.gantry.release.ReleaseRun.Members>> releases =
      id -> java.util.Optional.empty();

  /** {@code home} holds the data directory ({@code home/data}) and the local targets beside it ({@code home/targets}). */
  ScheduleFixture(TestDatabase.Instance db, Clock clock, Path home, String windowExpiry) {
    Path dataDir = home.resolve("data");
    this.db = db;
    this.clock = clock;
    var services = new Services(db.jdbc(), clock);
    var components = new Components(db.jdbc(), clock);
    var versions = new ComponentVersions(db.jdbc());
    var environments = new Environments(db.jdbc(), clock);
    var targets = new Targets(db.jdbc(), clock);
    models = new Models(db.jdbc(), clock);
    library = new Library(components, versions, new ArtifactStore(dataDir), db.transactions(), clock, 1 << 20);
    deployments = new Deployments(db.jdbc());
    requests = new DeploymentRequests(components, library, environments, models, deployments, db.transactions(),
        clock, () -> gates);
    config = new ConfigService(new ConfigLoader(), new ConfigInterpreter(), environments, targets, services,
        components, versions, models, new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(), clock,
        new io.gantry.identity.RoleBindings(db.jdbc(), clock), new io.gantry.identity.Users(db.jdbc(), clock));
    settings = new ScheduleSettings(windowExpiry, "1h");
    freezes = new Freezes(db.jdbc());
    rows = new ScheduleRows(db.jdbc());
    conflicts = new Conflicts(db.jdbc(), deployments);
    ConflictFinder finder = new ConflictFinder(rows, deployments, freezes, components, targets, settings,
        id -> releases.apply(id));
    declarations = new FreezeDeclarations(freezes, conflicts, rows, environments, services, settings,
        db.transactions(), clock);
    schedule = new ForwardSchedule(rows, freezes, conflicts, models, settings);
    backlog = new Backlog(rows, deployments);
    gate = new ScheduleGate(freezes, finder, conflicts, settings, db.transactions(), () -> exemptions);
    gates.add(gate);
    engine = new Engine(deployments, models, library, environments, targets, new StepRunner(clock),
        db.transactions(), clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), 4,
        () -> gates);
  }

  void apply(String yaml) {
    config.apply(List.of(new ConfigFile("test.yaml", yaml)), "test", "alice");
  }

  void push(String component, String version) {
    library.push(new Library.Push(ComponentRef.parse(component), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  Deployment request(String component, String version, String environment) {
    return request(component, version, environment, null, null, null);
  }

  Deployment request(String component, String version, String environment, Instant at, Instant until,
      Integer priority) {
    return requests.request(new DeploymentRequests.Request(component, version, environment, null, null,
        Deployment.Kind.DEPLOY, at, until, priority), "bob");
  }

  /** Runs what is due and answers the deployment as it stands then. */
  Deployment run(Deployment d) {
    engine.runDue();
    return deployments.get(d.id());
  }

  List<DeploymentEvent> events(Deployment d, DeploymentEvent.Kind kind) {
    return deployments.events(d.id(), 0).stream().filter(e -> e.kind() == kind).toList();
  }

  DeploymentEvent lastWait(Deployment d) {
    return events(d, DeploymentEvent.Kind.WAIT).getLast();
  }

  Freeze freeze(String name, String environment, String service, String recurrence, String from, String to,
      List<String> days, String zone) {
    return declarations.declare(new FreezeRules.Draft(name, "reason for " + name, environment, service, recurrence,
        from, to, days, zone), "carol");
  }
}
