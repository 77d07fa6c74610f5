package io.gantry.deployment;

import io.gantry.catalog.ArtifactStore;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.Services;
import io.gantry.catalog.TrustedKeys;
import io.gantry.config.ConfigFile;
import io.gantry.config.ConfigInterpreter;
import io.gantry.config.ConfigLoader;
import io.gantry.config.ConfigService;
import io.gantry.environment.Environments;
import io.gantry.environment.Targets;
import io.gantry.execution.StepRunner;
import io.gantry.identity.Users;
import io.gantry.model.Models;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The repositories, services and an engine over one test database and one folder, built by hand: the
 * folder holds the data directory ({@code <home>/data}) and, beside it, the local root where local
 * targets with a relative path are ({@code <home>/targets}), as the server places them by default.
 */
final class EngineFixture {

  final ArtifactStore store;
  final Library library;
  final Deployments deployments;
  final DeploymentRequests requests;
  final DeploymentDecisions decisions;
  final DeploymentAborts aborts;
  final Users users;
  final ConfigService config;
  /** Gates the requests and every engine of this fixture consult; tests add their own. */
  final List<DeploymentGate> gates = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final TestDatabase.Instance db;
  private final Clock clock;
  /** The data directory: the artifact library, step output, the secrets key. */
  final Path dataDir;
  private final Models models;
  private final Environments environments;
  final Targets targets;
  /** The outbox the engine and the configuration write their CDEvents to, as the server's do. */
  final io.gantry.events.EventsForTests events;

  /** The Prometheus the engines of this fixture query analysis metrics on; none unless given. */
  private final String prometheusUrl;

  /** The fixture's database, for what a test reads directly (a history table). */
  org.springframework.jdbc.core.simple.JdbcClient jdbc() {
    return db.jdbc();
  }

  EngineFixture(TestDatabase.Instance db, Clock clock, Path home) {
    this(db, clock, home, "");
  }

  /** With a Prometheus at {@code prometheusUrl} for analysis metrics, as gantry.analysis.prometheus.url gives one. */
  EngineFixture(TestDatabase.Instance db, Clock clock, Path home, String prometheusUrl) {
    this.prometheusUrl = prometheusUrl;
    this.db = db;
    this.clock = clock;
    this.dataDir = home.resolve("data");
    var services = new Services(db.jdbc(), clock);
    var components = new Components(db.jdbc(), clock);
    var versions = new ComponentVersions(db.jdbc());
    events = io.gantry.events.EventsForTests.over(db.jdbc());
    environments = new Environments(db.jdbc(), clock, events);
    targets = new Targets(db.jdbc(), clock);
    models = new Models(db.jdbc(), clock, new io.gantry.model.ModelNotices(db.jdbc(), clock, events));
    users = new Users(db.jdbc(), clock);
    store = new ArtifactStore(dataDir);
    library = new Library(components, versions, store, db.transactions(), clock, 1 << 20);
    deployments = new Deployments(db.jdbc(), events);
    requests = new DeploymentRequests(components, library, environments, models, deployments, db.transactions(), clock,
        () -> gates);
    events.connect(deployments, versions, new AwaitedActions(deployments, models,
        new io.gantry.identity.Access(users, db.jdbc()), db.jdbc()),
        io.gantry.change.ChangesForTests.deploymentChanges(db.jdbc()), "");
    decisions = new DeploymentDecisions(deployments, models, new io.gantry.identity.Access(users, db.jdbc()), db.transactions(), clock, store, library, 1 << 20);
    aborts = new DeploymentAborts(deployments, new io.gantry.identity.Access(users, db.jdbc()), db.transactions(), clock);
    config = new ConfigService(new ConfigLoader(),
        new ConfigInterpreter(Duration.ofHours(24), io.gantry.environment.LocalTargets.beside(dataDir),
            prometheusUrl), environments, targets, services,
        components, versions, models, new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(), clock,
        new io.gantry.identity.RoleBindings(db.jdbc(), clock), new io.gantry.identity.Users(db.jdbc(), clock));
  }

  /** Requests that let a version off its promotion path when one of {@code exemptions} says so. */
  DeploymentRequests requests(List<PromotionExemptions> exemptions) {
    return new DeploymentRequests(new Components(db.jdbc(), clock), library, environments, models, deployments,
        db.transactions(), clock, () -> gates, () -> exemptions);
  }

  /** A new engine (as a server process would have) over the same database and folder. */
  Engine engine() {
    return engine(4);
  }

  private io.gantry.execution.StepSecrets stepSecrets = io.gantry.execution.StepSecrets.NONE;

  /** A secret store over this database, with its key in the data folder; the engines made after it use it. */
  io.gantry.secret.Secrets secrets() {
    var secrets = new io.gantry.secret.Secrets(db.jdbc(), db.transactions(), clock, "",
        dataDir.resolve("secrets.key"), "");
    stepSecrets = secrets;
    return secrets;
  }

  /** The OS user the engines made from now on run local steps as (gantry.targets.run-as). */
  io.gantry.execution.StepUser stepUser = io.gantry.execution.StepUser.SERVER;

  /** A new engine with this many workers. */
  Engine engine(int workers) {
    return new Engine(deployments, models, library, environments, targets,
        new StepRunner(clock).withSecrets(stepSecrets).runningAs(stepUser),
        db.transactions(), clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), workers,
        () -> gates, Prometheus.of(prometheusUrl, Duration.ofSeconds(5)));
  }

  /** A new engine whose workers claim deployments for leases of {@code lease}. */
  Engine engineLeasingFor(Duration lease) {
    return new Engine(deployments, models, library, environments, targets,
        new StepRunner(clock).withSecrets(stepSecrets).runningAs(stepUser), db.transactions(), clock, dataDir, lease,
        Duration.ofSeconds(5), 4, () -> gates);
  }

  /** A new engine whose steps {@code runner} runs (e.g. with a sleeper that moves a test's clock). */
  Engine engine(StepRunner runner) {
    return new Engine(deployments, models, library, environments, targets, runner.withSecrets(stepSecrets),
        db.transactions(), clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), 4, () -> gates);
  }

  /** A new engine whose work {@code observer} hears of (traces). */
  Engine engine(EngineObserver observer) {
    return new Engine(deployments, models, library, environments, targets,
        new StepRunner(clock).withSecrets(stepSecrets).runningAs(stepUser), db.transactions(), clock, dataDir,
        Duration.ofSeconds(30), Duration.ofSeconds(5), 4, () -> gates, observer);
  }

  /** An engine that checks signatures against the TrustedKeys applied, as the server's does. */
  Engine engineCheckingSignatures() {
    var signatures = new io.gantry.catalog.Signatures(library, new io.gantry.catalog.TrustedKeys(db.jdbc(), clock),
        clock);
    return new Engine(deployments, models, library, environments, targets, new StepRunner(clock),
        db.transactions(), clock, dataDir, Duration.ofSeconds(30), Duration.ofSeconds(5), 4, () -> gates,
        new StepOutputs(dataDir, StepOutputs.DEFAULT_TAIL), signatures::problem);
  }

  /** Writes in one transaction, as the engine writes everything it records. */
  void inTransaction(Runnable write) {
    db.transactions().executeWithoutResult(s -> write.run());
  }

  void apply(String yaml) {
    try {
      config.apply(List.of(new ConfigFile("test.yaml", yaml)), "test", "alice");
    } catch (io.gantry.shared.InvalidInputException e) {
      throw new AssertionError(e.getMessage() + ": " + e.findings(), e);
    }
  }
}
