package io.gantry.change;

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
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.Engine;
import io.gantry.environment.Environments;
import io.gantry.environment.Targets;
import io.gantry.execution.StepRunner;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.model.Models;
import io.gantry.release.ReleaseGate;
import io.gantry.release.ReleaseRecords;
import io.gantry.release.Releases;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Repositories, changes, the change gate and an engine over one test database, built by hand. */
final class ChangeFixture {

  /**
   * qa runs at once and allows standard changes; production needs a change approved by 2 of
   * deployment-manager / service-owner, never the requester; preprod needs an approval of its own.
   */
  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: preprod}
      spec: {purpose: staging, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: production}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: q1}
      spec: {environment: qa, kind: local, path: q1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: s1}
      spec: {environment: preprod, kind: local, path: s1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: p1}
      spec: {environment: production, kind: local, path: p1}
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
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: api}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: ledger}
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
            approvers: {roles: [deployment-manager], standardChanges: true}
            steps:
              - {name: run, type: shell, command: "echo ok > out.txt", timeout: 30s}
          - name: preprod
            environment: preprod
            authorization: approval
            approvers: {roles: [deployment-manager], count: 1}
            steps:
              - {name: run, type: shell, command: "echo ok > out.txt", timeout: 30s}
          - name: production
            environment: production
            authorization: change
            approvers: {roles: [deployment-manager, service-owner], count: 2, separationOfDuties: true}
            steps:
              - {name: run, type: shell, command: "STEP", timeout: 30s}
            failurePolicy: {action: FAILURE}
      """;

  final TestDatabase.Instance db;
  final MutableClock clock;
  final Library library;
  final Deployments deployments;
  final DeploymentRequests requests;
  final Users users;
  final ConfigService config;
  final Changes changes;
  final ChangeGate gate;
  final Releases releases;
  final List<DeploymentGate> gates = new CopyOnWriteArrayList<>();
  private final Models models;
  private final Environments environments;
  private final Targets targets;
  private final Path dataDir;
  private final ItsmSettings itsm;

  /** {@code home} holds the data directory ({@code home/data}) and the local targets beside it ({@code home/targets}). */
  ChangeFixture(TestDatabase.Instance db, MutableClock clock, Path home, ItsmSettings itsm) {
    this.db = db;
    this.clock = clock;
    this.dataDir = home.resolve("data");
    this.itsm = itsm;
    var services = new Services(db.jdbc(), clock);
    var components = new Components(db.jdbc(), clock);
    var versions = new ComponentVersions(db.jdbc());
    var events = io.gantry.events.EventsForTests.over(db.jdbc());
    environments = new Environments(db.jdbc(), clock, events);
    targets = new Targets(db.jdbc(), clock);
    models = new Models(db.jdbc(), clock);
    users = new Users(db.jdbc(), clock);
    library = new Library(components, versions, new ArtifactStore(dataDir), db.transactions(), clock, 1 << 20);
    deployments = new Deployments(db.jdbc(), events);
    requests = new DeploymentRequests(components, library, environments, models, deployments, db.transactions(), clock,
        () -> gates);
    config = new ConfigService(new ConfigLoader(), new ConfigInterpreter(), environments, targets, services,
        components, versions, models, new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(), clock,
        new io.gantry.identity.RoleBindings(db.jdbc(), clock), new io.gantry.identity.Users(db.jdbc(), clock));
    var records = new ChangeRecords(db.jdbc(), events);
    events.connect(deployments, versions, new io.gantry.deployment.AwaitedActions(deployments, models,
        new io.gantry.identity.Access(users, db.jdbc()), db.jdbc()), new DeploymentChanges(records, db.jdbc()), "");
    changes = new Changes(records, services, components, environments, models,
        new io.gantry.identity.Access(users, db.jdbc()), deployments,
        db.transactions(), clock, Duration.ofHours(72), itsm);
    releases = new Releases(new ReleaseRecords(db.jdbc()), components, library, environments, models, deployments,
        requests, db.transactions(), clock);
    gate = new ChangeGate(changes, deployments, releases::membership);
    gates.add(new ReleaseGate(releases, deployments));
    gates.add(gate);
  }

  ChangeFixture(TestDatabase.Instance db, MutableClock clock, Path home) {
    this(db, clock, home, ItsmSettings.none());
  }

  ItsmPolling itsm() {
    return new ItsmPolling(changes, itsm);
  }

  /** A secret store over this database, with its key in the data folder. */
  io.gantry.secret.Secrets secrets() {
    return new io.gantry.secret.Secrets(db.jdbc(), db.transactions(), clock, "", dataDir.resolve("secrets.key"), "");
  }

  /** Polling that takes the credentials the systems keep as secrets from {@code secrets}. */
  ItsmPolling itsm(io.gantry.secret.Secrets secrets) {
    return new ItsmPolling(changes, itsm, secrets);
  }

  Engine engine() {
    return new Engine(deployments, models, library, environments, targets, new StepRunner(clock), db.transactions(),
        clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), 4,
        () -> gates);
  }

  /** The configuration above, with the production step and failure policy given, and the people. */
  ChangeFixture configured(String productionStep, String failurePolicy) {
    config.apply(List.of(new ConfigFile("test.yaml", CONFIG.replace("STEP", productionStep)
        .replace("FAILURE", failurePolicy))), "test", "alice");
    users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.SERVICE_OWNER), Actor.GANTRY);
    users.create("carol", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    users.create("dave", null, EnumSet.of(Role.SERVICE_OWNER), Actor.GANTRY);
    users.create("erin", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    users.create("bob", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    for (String component : List.of("web", "api")) {
      library.push(new Library.Push(new ComponentRef("shop", component), "1.0.0", Map.of(), List.of(
          new Library.Upload("run.sh", () -> new java.io.ByteArrayInputStream("echo ok\n".getBytes()))), List.of()),
          "alice");
    }
    return this;
  }

  ChangeFixture configured() {
    return configured("echo ok > out.txt", "stop");
  }

  Deployment deploy(String component, String environment, String actor) {
    return requests.request(new DeploymentRequests.Request(component, "1.0.0", environment, null, "release"), actor);
  }

  /** A change from now for an hour, of the type, over the components in the environment. */
  Changes.NewChange change(String type, List<String> components, String environment) {
    Instant now = clock.instant();
    return new Changes.NewChange("release " + components, type, "medium", "low", now, now.plus(Duration.ofHours(1)),
        "deploy with gantry", "deploy the previous version", "health check", List.of(), components,
        List.of(environment), type.equals("emergency") ? "orders fail since 09:12" : null, null);
  }
}
