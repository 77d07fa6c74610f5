package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.environment.Environment;
import io.gantry.environment.Environments;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.StepRunner;
import io.gantry.execution.StepOutcome;
import io.gantry.execution.TargetAccess;
import io.gantry.model.Criterion;
import io.gantry.model.ModelDefinition;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.IntegrityViolationException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The deployment engine. It claims due deployments (one work item per deployment, held with a lease
 * that a heartbeat extends) and carries each one through planning, verification of components,
 * verification of the target environment, execution and deployment verification. Every transition
 * and every step is written before it is acted on, so another engine (or this one after a restart)
 * picks up where a dead one stopped; a step found started but not finished is run again only if it
 * is declared idempotent.
 */
@Component
public class Engine {

  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  static final String EXECUTE = "execute";
  static final String VERIFY = "verify";
  static final String ROLLBACK = "rollback";

  private final Deployments deployments;
  private final Models models;
  private final Library library;
  private final Environments environments;
  private final Targets targets;
  private final StepRunner runner;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Path dataDir;
  private final Duration lease;
  private final Duration waitRecheck;
  private final String owner;
  private final Supplier<List<DeploymentGate>> gates;
  /** One permit per deployment this engine may advance at the same time. */
  private final Semaphore slots;
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-lease-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

  @Autowired
  public Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock,
      @Value("${gantry.data-dir:./data}") Path dataDir,
      @Value("${gantry.engine.lease:30s}") Duration lease,
      @Value("${gantry.engine.wait-recheck:5s}") Duration waitRecheck,
      @Value("${gantry.engine.workers:8}") int workers,
      ObjectProvider<DeploymentGate> gates) {
    this(deployments, models, library, environments, targets, runner, tx, clock, dataDir, lease, waitRecheck,
        workers, io.gantry.shared.OrderedBeans.once(gates));
  }

  /** With the gates of the caller's choosing (tests). */
  public Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock, Path dataDir, Duration lease, Duration waitRecheck,
      int workers, Supplier<List<DeploymentGate>> gates) {
    if (workers < 1) {
      throw new IllegalArgumentException("gantry.engine.workers must be at least 1, not " + workers);
    }
    this.slots = new Semaphore(workers);
    this.gates = gates;
    this.deployments = deployments;
    this.models = models;
    this.library = library;
    this.environments = environments;
    this.targets = targets;
    this.runner = runner;
    this.tx = tx;
    this.clock = clock;
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.lease = lease;
    this.waitRecheck = waitRecheck;
    this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Advances every due deployment as far as it can go now, up to {@code gantry.engine.workers} at a
   * time, and returns when none is left to advance; answers how many claims were made.
   */
  public int runDue() {
    int total = 0;
    while (true) {
      List<Future<?>> running = new ArrayList<>();
      while (true) {
        try {
          slots.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return total;
        }
        Optional<Deployments.Claim> claim = claim();
        if (claim.isEmpty()) {
          slots.release();
          break;
        }
        total++;
        running.add(workers.submit(() -> advanceAndFree(claim.get())));
      }
      if (running.isEmpty()) {
        return total;
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return total;
        } catch (java.util.concurrent.ExecutionException e) {
          log.error("a deployment could not be advanced", e.getCause());
        }
      }
    }
  }

  /**
   * Claims due deployments while a worker is free and starts advancing each, without waiting for
   * them: how the server's engine loop keeps several deployments moving at once. A worker that is
   * done with its deployment claims the next due one itself, so a backlog does not wait for the
   * next poll between deployments.
   */
  public int startDue() {
    int started = 0;
    while (slots.tryAcquire()) {
      Optional<Deployments.Claim> claim = claim();
      if (claim.isEmpty()) {
        slots.release();
        return started;
      }
      started++;
      workers.submit(() -> advanceWhileDue(claim.get()));
    }
    return started;
  }

  private void advanceWhileDue(Deployments.Claim first) {
    try {
      Optional<Deployments.Claim> claim = Optional.of(first);
      while (claim.isPresent() && !Thread.currentThread().isInterrupted()) {
        advance(claim.get());
        claim = claim();
      }
    } catch (RuntimeException e) {
      log.warn("could not claim the next due deployment; the engine loop looks again at its next poll", e);
    } finally {
      slots.release();
    }
  }

  private Optional<Deployments.Claim> claim() {
    Instant now = clock.instant();
    Optional<Deployments.Claim> claim = tx.execute(s -> deployments.claim(owner, now, now.plus(lease)));
    return claim == null ? Optional.empty() : claim;
  }

  private void advanceAndFree(Deployments.Claim claim) {
    try {
      advance(claim);
    } finally {
      slots.release();
    }
  }

  private void advance(Deployments.Claim claim) {
    long id = claim.deployment();
    AtomicBoolean held = new AtomicBoolean(true);
    var beat = heartbeats.scheduleAtFixedRate(() -> {
      try {
        if (!deployments.extend(id, owner, clock.instant().plus(lease))) {
          held.set(false);
        }
      } catch (RuntimeException e) {
        log.warn("could not extend the lease on deployment {}", id, e);
      }
    }, lease.toMillis() / 3, lease.toMillis() / 3, TimeUnit.MILLISECONDS);
    try {
      if (claim.previousOwner() != null) {
        Deployment d = deployments.get(id);
        tx.executeWithoutResult(s -> deployments.record(id, DeploymentEvent.Kind.INTERRUPTION, null, null, "gantry",
            "resumed in state " + d.state() + " after the engine " + claim.previousOwner()
                + " stopped without finishing", clock.instant()));
      }
      Optional<Instant> again = run(id, held);
      if (again.isPresent()) {
        tx.executeWithoutResult(s -> deployments.release(id, owner, again.get(), clock.instant()));
      } else {
        tx.executeWithoutResult(s -> deployments.complete(id));
      }
    } catch (RuntimeException e) {
      log.error("deployment {} could not be advanced; it will be tried again", id, e);
      tx.executeWithoutResult(s -> deployments.release(id, owner, clock.instant().plus(waitRecheck),
          clock.instant()));
    } finally {
      beat.cancel(false);
    }
  }

  /** Runs a deployment until it ends (empty) or must wait (the time to look again). */
  private Optional<Instant> run(long id, AtomicBoolean held) {
    Plan plan = null;
    while (held.get()) {
      Deployment d = deployments.get(id);
      if (plan == null) {
        plan = plan(d);
      }
      Optional<Instant> wait = switch (d.state()) {
        case REQUESTED -> planDeployment(d, plan);
        case PLANNED -> verifyComponents(d, plan);
        case COMPONENTS_VERIFIED -> verifyEnvironment(d, plan);
        case ENVIRONMENT_VERIFIED -> {
          move(d, DeploymentState.EXECUTING, executing(d));
          yield Optional.empty();
        }
        case EXECUTING -> execute(d, plan);
        case VERIFYING -> verify(d, plan);
        case ROLLING_BACK -> rollBack(d, plan);
        case SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED -> {
          yield null;
        }
      };
      if (wait == null) {
        return Optional.empty();
      }
      if (wait.isPresent()) {
        return wait;
      }
    }
    return Optional.of(clock.instant());
  }

  /** The model text and stage the deployment follows, as they were when it was requested. */
  record Plan(ModelDefinition model, Stage stage, Environment environment) {}

  private Plan plan(Deployment d) {
    ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    Stage stage = model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst()
        .orElseThrow(() -> new IllegalStateException("stage " + d.stage() + " is not in " + d.model()));
    return new Plan(model, stage, environments.find(d.environment()).orElseThrow());
  }

  // --- planning

  private Optional<Instant> planDeployment(Deployment d, Plan plan) {
    Instant now = clock.instant();
    if (d.plannedStart() != null && d.plannedStart().isAfter(now)) {
      return waitFor(d, DeploymentEvent.WaitKind.SCHEDULE, "its planned start at " + d.plannedStart(),
          d.plannedStart());
    }
    List<Deployment> queue = deployments.queue(d.environment(), d.component(), now);
    List<Deployment> ahead = queue.subList(0, Math.max(0, queue.stream().map(Deployment::id).toList().indexOf(d.id())));
    if (!ahead.isEmpty()) {
      return waitFor(d, DeploymentEvent.WaitKind.LOCK, "deployment #" + ahead.getFirst().id() + " of " + d.component()
          + " in " + d.environment() + " (deployments to one environment and component run one at a time; "
          + ahead.size() + " ahead in the queue)", null);
    }
    Stage stage = plan.stage();
    for (DeploymentGate gate : gates.get()) {
      switch (gate.check(d, stage, now)) {
        case DeploymentGate.Verdict.Pass pass -> {}
        case DeploymentGate.Verdict.Wait wait -> {
          return waitFor(d, wait.kind(), wait.what(), wait.lookAgainAt());
        }
        case DeploymentGate.Verdict.Fail failure -> {
          return fail(d, failure.reason());
        }
        case DeploymentGate.Verdict.Cancel cancel -> {
          move(d, DeploymentState.CANCELLED, "cancelled: " + cancel.reason());
          return Optional.empty();
        }
      }
    }
    for (Criterion criterion : stage.entryCriteria()) {
      String unmet = unmet(criterion, d, plan);
      if (unmet != null) {
        return fail(d, "entry criterion not met: " + unmet);
      }
    }
    if (stage.strategy().type() == Stage.Strategy.Type.CANARY || stage.strategy().type() == Stage.Strategy.Type.BLUE_GREEN) {
      return fail(d, "the " + stage.strategy().type().name().toLowerCase().replace('_', '-')
          + " strategy is declared but this engine runs only all-at-once and rolling deployments");
    }
    List<Step> steps = steps(d, plan);
    Map<String, String> current = deployments.currentVersions(d.environment(), d.component());
    boolean undeploy = d.kind() == Deployment.Kind.UNDEPLOY;
    List<Target> chosen = targets.in(d.environment()).stream()
        .filter(t -> steps.stream().allMatch(access(t)::runs))
        .filter(t -> !undeploy || current.containsKey(t.name())).toList();
    if (chosen.isEmpty()) {
      return fail(d, undeploy ? d.component() + " is on no target of " + d.environment() + "; nothing to remove"
          : "environment " + d.environment() + " has no target that can run the steps of stage " + stage.name());
    }
    List<List<Target>> batches = batches(chosen, stage.strategy());
    Boolean planned = tx.execute(s -> {
      // planners of one environment and component take turns here, so two can never both think they are first
      deployments.lockQueue(d.environment(), d.component());
      List<Deployment> inQueue = deployments.queue(d.environment(), d.component(), clock.instant());
      if (!inQueue.isEmpty() && inQueue.getFirst().id() != d.id()) {
        return false;
      }
      for (int b = 0; b < batches.size(); b++) {
        for (Target t : batches.get(b)) {
          deployments.addTargetRun(d.id(), t.name(), b, current.get(t.name()));
        }
      }
      deployments.transition(deployments.get(d.id()), DeploymentState.PLANNED, "gantry", "model " + d.model() + " v"
          + d.modelVersion() + ", stage " + stage.name() + ": " + chosen.size() + " target(s) in " + batches.size()
          + " batch(es), " + stage.strategy().type().name().toLowerCase().replace('_', '-'), clock.instant());
      return true;
    });
    if (!Boolean.TRUE.equals(planned)) {
      return waitFor(d, DeploymentEvent.WaitKind.LOCK, "another deployment of " + d.component() + " in "
          + d.environment() + " that went ahead", null);
    }
    for (DeploymentGate gate : gates.get()) {
      try {
        gate.started(d, clock.instant());
      } catch (RuntimeException e) {
        log.error("{} could not take note that deployment {} started", gate.getClass().getSimpleName(), d.id(), e);
      }
    }
    return Optional.empty();
  }

  static List<List<Target>> batches(List<Target> chosen, Stage.Strategy strategy) {
    if (strategy.type() == Stage.Strategy.Type.ALL_AT_ONCE) {
      return List.of(chosen);
    }
    String size = strategy.batchSize() == null ? "1" : strategy.batchSize();
    int n = size.endsWith("%")
        ? Math.max(1, (int) Math.ceil(chosen.size() * Integer.parseInt(size.substring(0, size.length() - 1)) / 100.0))
        : Integer.parseInt(size);
    List<List<Target>> out = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i += n) {
      out.add(chosen.subList(i, Math.min(chosen.size(), i + n)));
    }
    return out;
  }

  private String unmet(Criterion criterion, Deployment d, Plan plan) {
    return switch (criterion) {
      case Criterion.StageSucceeded s -> {
        String env = plan.model().spec().stages().stream().filter(x -> x.name().equals(s.stage())).findFirst()
            .map(Stage::environment).orElse(s.stage());
        boolean done = deployments.page(new Deployments.Filter(env, d.component().service(), d.component().component(),
            DeploymentState.SUCCEEDED), io.gantry.shared.PageRequest.all()).items().stream()
            .anyMatch(o -> o.version().equals(d.version()));
        yield done ? null : d.component() + "@" + d.version() + " has not yet succeeded in stage " + s.stage()
            + " (" + env + ")";
      }
      case Criterion.VersionStatus v -> {
        VersionStatus status = library.get(d.component(), d.version()).status();
        yield status.id().equals(v.status()) || status == VersionStatus.APPROVED ? null
            : "the version is " + status.id() + ", the stage needs " + v.status();
      }
      case Criterion.Manual m -> null;
      case Criterion.Check c -> null;
    };
  }

  // --- verification of components

  /** The steps a deployment runs on each target: the stage's steps, or its removal steps for an undeploy. */
  private static List<Step> steps(Deployment d, Plan plan) {
    return d.kind() == Deployment.Kind.UNDEPLOY ? plan.stage().removeSteps() : plan.stage().steps();
  }

  private Optional<Instant> verifyComponents(Deployment d, Plan plan) {
    if (d.kind() == Deployment.Kind.UNDEPLOY) {
      move(d, DeploymentState.COMPONENTS_VERIFIED, "nothing to verify: " + d.component() + "@" + d.version()
          + " is being removed, not installed");
      return Optional.empty();
    }
    ComponentVersion version = library.get(d.component(), d.version());
    if (version.status() == VersionStatus.WITHDRAWN) {
      return fail(d, "component verification: " + d.component() + "@" + d.version() + " was withdrawn");
    }
    if (plan.environment().definition().controlled() && version.status() != VersionStatus.APPROVED) {
      return fail(d, "component verification: " + d.environment() + " is a controlled environment and accepts only "
          + "approved versions; " + d.version() + " is " + version.status().id());
    }
    try {
      library.verify(version);
    } catch (IntegrityViolationException e) {
      return fail(d, "component verification: " + e.getMessage());
    }
    var checks = plan.model().spec().componentChecks();
    for (String path : checks.requiredArtifacts()) {
      if (version.artifacts().stream().noneMatch(a -> a.path().equals(path))) {
        return fail(d, "component verification: the model requires the artifact " + path + ", which the version lacks");
      }
    }
    for (String attribute : checks.requiredAttributes()) {
      if (!version.attributes().containsKey(attribute)) {
        return fail(d, "component verification: the model requires the attribute " + attribute
            + ", which the version lacks");
      }
    }
    move(d, DeploymentState.COMPONENTS_VERIFIED, "digests of " + version.artifacts().size()
        + " artifact(s) match the library; status " + version.status().id());
    return Optional.empty();
  }

  // --- verification of the target environment

  private Optional<Instant> verifyEnvironment(Deployment d, Plan plan) {
    for (TargetRun run : deployments.targetRuns(d.id())) {
      Target target = targets.find(run.target()).orElse(null);
      if (target == null) {
        return fail(d, "environment verification: target " + run.target() + " no longer exists");
      }
      String problem = access(target).verify(plan.model().spec().targetRequirements());
      if (problem != null) {
        return fail(d, "environment verification: target " + target.name() + ": " + problem);
      }
    }
    // verified, and executing: both written in one commit before any step acts
    move(d, DeploymentState.ENVIRONMENT_VERIFIED, "every target is reachable and meets the model's requirements",
        DeploymentState.EXECUTING, executing(d));
    return Optional.empty();
  }

  private static String executing(Deployment d) {
    return "executing the steps of stage " + d.stage();
  }

  // --- execution and verification

  private Optional<Instant> execute(Deployment d, Plan plan) {
    ComponentVersion version = library.get(d.component(), d.version());
    List<TargetRun> runs = deployments.targetRuns(d.id());
    int batches = runs.stream().mapToInt(TargetRun::batch).max().orElse(-1) + 1;
    for (int b = 0; b < batches; b++) {
      int batch = b;
      List<TargetRun> inBatch = runs.stream().filter(r -> r.batch() == batch).toList();
      Optional<Instant> wait = runBatch(d, plan, inBatch, EXECUTE, steps(d, plan), version);
      if (wait.isPresent()) {
        return wait;
      }
      List<TargetRun> failed = deployments.targetRuns(d.id()).stream()
          .filter(r -> r.batch() == batch && r.state() == TargetRunState.FAILED).toList();
      if (!failed.isEmpty()) {
        String what = "batch " + (batch + 1) + " of " + batches + " failed on " + names(failed) + ": "
            + failed.getFirst().outcome();
        if (plan.stage().failurePolicy().action() == Stage.FailurePolicy.Action.ASK) {
          return ask(d, failed, what);
        }
        return onFailure(d, plan, what);
      }
    }
    if (d.kind() == Deployment.Kind.UNDEPLOY || plan.stage().acceptance().isEmpty()) {
      // nothing to check: verifying and the end are written in one commit
      String end = d.kind() == Deployment.Kind.UNDEPLOY
          ? d.component() + " removed from every target of " + d.environment()
          : "all targets succeeded (the stage has no acceptance checks)";
      move(d, DeploymentState.VERIFYING, VERIFYING_MESSAGE, DeploymentState.SUCCEEDED, end);
      return Optional.empty();
    }
    move(d, DeploymentState.VERIFYING, VERIFYING_MESSAGE);
    return Optional.empty();
  }

  private static final String VERIFYING_MESSAGE = "every target ran the steps; verifying the deployment";

  private Optional<Instant> verify(Deployment d, Plan plan) {
    if (d.kind() == Deployment.Kind.UNDEPLOY) {
      move(d, DeploymentState.SUCCEEDED, d.component() + " removed from every target of " + d.environment());
      return Optional.empty();
    }
    ComponentVersion version = library.get(d.component(), d.version());
    List<TargetRun> runs = deployments.targetRuns(d.id()).stream()
        .filter(r -> r.state() == TargetRunState.SUCCEEDED).toList();
    List<String> failures = new ArrayList<>();
    StepResult waitFor = null;
    // the checks that passed are written with the deployment's end, in one commit (a crash before it
    // leaves them running: checks change nothing, so they run again)
    PendingWrites finishes = new PendingWrites(tx);
    if (!plan.stage().acceptance().isEmpty()) {
      Integer maxParallel = plan.stage().strategy().maxParallel();
      Semaphore permits = new Semaphore(maxParallel == null ? Math.max(1, runs.size()) : maxParallel);
      List<Future<StepResult>> results = new ArrayList<>();
      for (TargetRun run : runs) {
        results.add(workers.submit(() -> {
          permits.acquire();
          try {
            Target target = targets.find(run.target()).orElseThrow();
            PendingWrites pending = new PendingWrites(tx);
            StepResult r = runSteps(d, run, target, VERIFY, plan.stage().acceptance(), version, plan, pending);
            finishes.add(pending);
            return r.failure() == null ? r : StepResult.failed(run.target() + ": " + r.failure());
          } finally {
            permits.release();
          }
        }));
      }
      for (Future<StepResult> f : results) {
        StepResult r;
        try {
          r = f.get();
        } catch (Exception e) {
          throw new IllegalStateException("a target's verification failed unexpectedly", e);
        }
        if (r.waitFor() != null && waitFor == null) {
          waitFor = r;
        }
        if (r.failure() != null) {
          failures.add(r.failure());
        }
      }
    }
    if (waitFor != null || !failures.isEmpty()) {
      finishes.flush();
    }
    if (waitFor != null) {
      return waitFor(d, waitFor.waitKind(), waitFor.waitFor(), null);
    }
    if (!failures.isEmpty()) {
      return onFailure(d, plan, "deployment verification failed on " + String.join("; ", failures));
    }
    move(d, DeploymentState.SUCCEEDED, plan.stage().acceptance().isEmpty()
        ? "all targets succeeded (the stage has no acceptance checks)"
        : "acceptance checks passed on every target", finishes);
    return Optional.empty();
  }

  private Optional<Instant> runBatch(Deployment d, Plan plan, List<TargetRun> batch, String phase, List<Step> steps,
      ComponentVersion version) {
    Integer maxParallel = plan.stage().strategy().maxParallel();
    Semaphore permits = new Semaphore(maxParallel == null ? Math.max(1, batch.size()) : maxParallel);
    List<Future<StepResult>> results = new ArrayList<>();
    for (TargetRun run : batch) {
      if (run.state() == TargetRunState.SUCCEEDED || run.state() == TargetRunState.FAILED
          || run.state() == TargetRunState.SKIPPED) {
        continue;
      }
      results.add(workers.submit(() -> {
        permits.acquire();
        try {
          Target target = targets.find(run.target()).orElse(null);
          // the target's start is written in the commit that starts its first step (or ends it)
          AtomicReference<TargetRun> current = new AtomicReference<>(run);
          PendingWrites pending = new PendingWrites(tx);
          if (run.state() == TargetRunState.PENDING) {
            Instant started = clock.instant();
            pending.add(() -> current.set(deployments.transition(run, TargetRunState.RUNNING, null, started)));
          }
          if (target == null) {
            pending.writeWith(() -> deployments.transition(current.get(), TargetRunState.FAILED,
                "the target no longer exists", clock.instant()));
            return StepResult.failed("target missing");
          }
          StepResult result = runSteps(d, run, target, phase, steps, version, plan, pending);
          pending.writeWith(() -> {
            if (result.waitFor() == null) {
              deployments.transition(current.get(), result.failure() == null ? TargetRunState.SUCCEEDED
                  : TargetRunState.FAILED, result.failure(), clock.instant());
            }
          });
          return result;
        } finally {
          permits.release();
        }
      }));
    }
    StepResult waitFor = null;
    for (Future<StepResult> f : results) {
      try {
        StepResult r = f.get();
        if (r.waitFor() != null && waitFor == null) {
          waitFor = r;
        }
      } catch (Exception e) {
        throw new IllegalStateException("a target's work failed unexpectedly", e);
      }
    }
    return waitFor == null ? Optional.empty() : waitFor(d, waitFor.waitKind(), waitFor.waitFor(), null);
  }

  /** Why the steps stopped: a failure, a person to wait for, or neither (all done). */
  record StepResult(String waitFor, DeploymentEvent.WaitKind waitKind, String failure) {

    static final StepResult DONE = new StepResult(null, null, null);

    static StepResult failed(String failure) {
      return new StepResult(null, null, failure);
    }

    /** A manual step waits for someone to do the work; an approval step for someone to approve. */
    static StepResult waiting(Step step, String what) {
      return new StepResult(what, step instanceof Step.Approval ? DeploymentEvent.WaitKind.APPROVAL
          : DeploymentEvent.WaitKind.MANUAL, null);
    }
  }

  /**
   * Runs the steps of one phase on one target, from the first not yet done. A step that succeeded is
   * recorded as such in the commit that records the next step's start (or, for the last, left in
   * {@code pending} for the caller's next commit).
   */
  private StepResult runSteps(Deployment d, TargetRun run, Target target, String phase, List<Step> steps,
      ComponentVersion version, Plan plan, PendingWrites pending) {
    TargetAccess on = access(target);
    List<StepRun> done = deployments.stepRuns(run).stream().filter(s -> s.phase().equals(phase)).toList();
    Map<Integer, StepRun> last = new HashMap<>();
    done.forEach(s -> last.put(s.index(), s));
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      StepRun previous = last.get(i);
      if (previous != null && previous.state() == StepRunState.SUCCEEDED) {
        continue;
      }
      if (previous != null && previous.state() == StepRunState.WAITING) {
        Optional<StepOutcome> decided = decided(d, run, step);
        if (decided.isEmpty()) {
          return StepResult.waiting(step, step.name() + " on " + run.target() + ": " + previous.outcome());
        }
        if (decided.get() instanceof StepOutcome.Failed rejected) {
          pending.writeWith(() -> deployments.finishStep(previous, run, StepRunState.FAILED, null, rejected.reason(),
              clock.instant()));
          return StepResult.failed("step " + step.name() + " failed: " + rejected.reason());
        }
        String summary = ((StepOutcome.Succeeded) decided.get()).summary();
        Instant signedAt = clock.instant();
        pending.add(() -> deployments.finishStep(previous, run, StepRunState.SUCCEEDED, null, summary,
            signedAt));
        continue;
      }
      if (previous != null && previous.state() == StepRunState.RUNNING) {
        boolean idempotent = idempotent(step);
        String what = "step " + step.name() + " on " + run.target() + " was running when the engine stopped; its "
            + "outcome is unknown";
        pending.writeWith(() -> {
          deployments.record(d.id(), DeploymentEvent.Kind.INTERRUPTION, run.target(), step.name(), "gantry",
              what + (idempotent ? "; it is idempotent, so it runs again"
                  : "; it is not declared idempotent, so it is not run again"), clock.instant());
          deployments.finishStep(previous, run, StepRunState.UNKNOWN, null, "interrupted", clock.instant());
        });
        if (!idempotent) {
          return StepResult.failed(what + " and it is not declared idempotent: a person must check " + run.target()
              + " before deploying again");
        }
      }
      int retries = plan.stage().failurePolicy().retries() == null ? 0 : plan.stage().failurePolicy().retries();
      int attempt = previous == null ? 1 : previous.attempt() + 1;
      while (true) {
        int thisAttempt = attempt;
        StepRun stepRun = pending.writeWith(() -> deployments.startStep(run, phase, steps.indexOf(step), step.name(),
            type(step), idempotent(step), thisAttempt, clock.instant()));
        StringBuilder output = new StringBuilder();
        StepOutcome outcome = on.run(step, on.context(version, variables(d, target, version), library::open,
            line -> output.append(line).append('\n')));
        String text = output.length() > 60_000 ? output.substring(output.length() - 60_000) : output.toString();
        switch (outcome) {
          case StepOutcome.Succeeded ok -> {
            Instant finished = clock.instant();
            pending.add(() -> deployments.finishStep(stepRun, run, StepRunState.SUCCEEDED, text, ok.summary(),
                finished));
          }
          case StepOutcome.NeedsPerson person -> {
            pending.writeWith(() -> deployments.finishStep(stepRun, run, StepRunState.WAITING, text,
                person.what(), clock.instant()));
            return StepResult.waiting(step, step.name() + " on " + run.target() + ": " + person.what());
          }
          case StepOutcome.Failed failed -> {
            pending.writeWith(() -> deployments.finishStep(stepRun, run, StepRunState.FAILED, text,
                failed.reason(), clock.instant()));
            if (thisAttempt <= retries) {
              attempt++;
              continue;
            }
            return StepResult.failed("step " + step.name() + " failed: " + failed.reason());
          }
        }
        break;
      }
    }
    return StepResult.DONE;
  }

  /**
   * Whether a step may run again when its outcome is unknown: as declared, else by its type (an
   * {@code http-check} and a {@code wait} change nothing, so they are; the others are not).
   */
  static boolean idempotent(Step step) {
    if (step.idempotent() != null) {
      return step.idempotent();
    }
    return step instanceof Step.HttpCheck || step instanceof Step.Wait;
  }

  /** What people decided on a manual or approval step, if enough to end it. */
  private Optional<StepOutcome> decided(Deployment d, TargetRun run, Step step) {
    List<Decision> decisions = deployments.decisions(d.id(), run.target(), step.name());
    return switch (step) {
      case Step.Manual m -> decisions.stream().filter(x -> x.kind() == Decision.Kind.SIGNOFF).findFirst()
          .map(x -> new StepOutcome.Succeeded("signed off by " + x.actor() + ": " + x.note()));
      case Step.Approval a -> {
        Optional<Decision> rejection = decisions.stream().filter(x -> x.kind() == Decision.Kind.REJECT).findFirst();
        if (rejection.isPresent()) {
          yield Optional.of(new StepOutcome.Failed("rejected by " + rejection.get().actor() + ": "
              + rejection.get().note()));
        }
        List<String> approvers = decisions.stream().filter(x -> x.kind() == Decision.Kind.APPROVE)
            .map(Decision::actor).distinct().toList();
        int needed = a.count() == null ? 1 : a.count();
        yield approvers.size() >= needed
            ? Optional.of(new StepOutcome.Succeeded("approved by " + String.join(", ", approvers)))
            : Optional.empty();
      }
      default -> Optional.empty();
    };
  }

  /** The deployment's values for a step's {@code ${name}} placeholders; the target adds its facts. */
  private static Map<String, String> variables(Deployment d, Target target, ComponentVersion version) {
    Map<String, String> variables = new HashMap<>();
    variables.put("environment", d.environment());
    variables.put("target", target.name());
    variables.put("version", version.version().value());
    variables.put("component", d.component().component());
    variables.put("service", d.component().service());
    return variables;
  }

  private TargetAccess access(Target target) {
    return TargetAccess.of(target, dataDir, runner);
  }

  static String type(Step step) {
    return switch (step) {
      case Step.ArtifactInstall a -> "artifact.install";
      case Step.ArtifactRemove r -> "artifact.remove";
      case Step.Template t -> "template";
      case Step.Shell s -> "shell";
      case Step.HttpCheck h -> "http-check";
      case Step.Wait w -> "wait";
      case Step.Manual m -> "manual";
      case Step.Approval a -> "approval";
    };
  }

  // --- failure policy and rollback

  private Optional<Instant> onFailure(Deployment d, Plan plan, String what) {
    return switch (plan.stage().failurePolicy().action()) {
      case STOP -> fail(d, what);
      case ROLLBACK -> {
        move(d, DeploymentState.ROLLING_BACK, what + "; rolling back to the previous version on the targets touched");
        yield Optional.empty();
      }
      case ASK -> waitFor(d, DeploymentEvent.WaitKind.DECISION,
          "a person to decide what to do (retry, skip the target or abort): " + what, null);
    };
  }

  /**
   * The "ask" policy: each failed target waits for a person's decision made after it failed: retry
   * it, skip it, or abort the deployment. Answers the wait, or empty to go on (decisions applied).
   */
  private Optional<Instant> ask(Deployment d, List<TargetRun> failed, String what) {
    for (TargetRun run : failed) {
      Optional<Decision> decision = deployments.decisions(d.id(), run.target(), FAILURE_POLICY).stream()
          .filter(x -> x.appliedAt() == null).findFirst();
      if (decision.isEmpty()) {
        return waitFor(d, DeploymentEvent.WaitKind.DECISION, "a person to decide on " + run.target()
            + " (retry, skip or abort): " + what, null);
      }
      Decision x = decision.get();
      switch (x.kind()) {
        case ABORT -> {
          tx.executeWithoutResult(s -> deployments.applied(x, clock.instant()));
          return fail(d, "aborted by " + x.actor() + ": " + x.note() + " (" + what + ")");
        }
        case RETRY -> tx.executeWithoutResult(s -> {
          deployments.applied(x, clock.instant());
          deployments.transition(run, TargetRunState.RUNNING, "retried as " + x.actor() + " decided: " + x.note(),
              clock.instant());
        });
        case SKIP -> tx.executeWithoutResult(s -> {
          deployments.applied(x, clock.instant());
          deployments.transition(run, TargetRunState.SKIPPED, "skipped as " + x.actor() + " decided: " + x.note(),
              clock.instant());
        });
        default -> throw new IllegalStateException("unexpected decision " + x.kind());
      }
    }
    return Optional.empty();
  }

  static final String FAILURE_POLICY = "failure-policy";

  private Optional<Instant> rollBack(Deployment d, Plan plan) {
    List<String> problems = new ArrayList<>();
    for (TargetRun run : deployments.targetRuns(d.id())) {
      if (run.state() == TargetRunState.PENDING || run.state() == TargetRunState.SKIPPED
          || run.state() == TargetRunState.ROLLED_BACK) {
        continue;
      }
      if (run.previousVersion() == null) {
        problems.add(run.target() + " had no earlier version to return to");
        continue;
      }
      TargetRun rolling = run.state() == TargetRunState.ROLLING_BACK ? run
          : tx.execute(s -> deployments.transition(run, TargetRunState.ROLLING_BACK, "back to " + run.previousVersion(),
              clock.instant()));
      Target target = targets.find(run.target()).orElse(null);
      if (target == null) {
        problems.add(run.target() + " no longer exists");
        continue;
      }
      ComponentVersion previous = library.get(d.component(), run.previousVersion());
      PendingWrites pending = new PendingWrites(tx);
      StepResult result = runSteps(d, rolling, target, ROLLBACK, plan.stage().steps(), previous, plan, pending);
      if (result.waitFor() != null) {
        pending.flush();
        return waitFor(d, result.waitKind(), result.waitFor(), null);
      }
      pending.writeWith(() -> deployments.transition(rolling, result.failure() == null ? TargetRunState.ROLLED_BACK
          : TargetRunState.FAILED, result.failure() == null ? "runs " + run.previousVersion() + " again"
          : "rollback failed: " + result.failure(), clock.instant()));
      if (result.failure() != null) {
        problems.add(run.target() + ": " + result.failure());
      }
    }
    if (problems.isEmpty()) {
      move(d, DeploymentState.ROLLED_BACK, "every target touched runs its previous version again");
    } else {
      move(d, DeploymentState.FAILED, "rollback incomplete: " + String.join("; ", problems));
    }
    return Optional.empty();
  }

  // --- helpers

  private void move(Deployment d, DeploymentState to, String message) {
    move(d, to, message, new PendingWrites(tx));
  }

  /** Moves the deployment through {@code via} to {@code to}, both written in one commit. */
  private void move(Deployment d, DeploymentState via, String viaMessage, DeploymentState to, String message) {
    PendingWrites first = new PendingWrites(tx);
    first.add(() -> deployments.transition(deployments.get(d.id()), via, "gantry", viaMessage, clock.instant()));
    move(d, to, message, first);
  }

  /** Moves the deployment, writing {@code first} (records still pending) in the same commit. */
  private void move(Deployment d, DeploymentState to, String message, PendingWrites first) {
    Deployment moved = first.writeWith(() -> {
      Deployment after = deployments.transition(deployments.get(d.id()), to, "gantry", message, clock.instant());
      if (to.isFinal()) {
        // those waiting to start in this environment (the next in its queue, one that requires this
        // component) need not wait for their next look
        deployments.wakeWaiting(after.environment(), clock.instant());
      }
      return after;
    });
    if (to.isFinal()) {
      finished(gates.get(), moved, clock.instant());
    }
  }

  /** Tells every gate that a deployment has ended; a gate's trouble is logged, never undoes the end. */
  static void finished(List<DeploymentGate> gates, Deployment d, Instant now) {
    for (DeploymentGate gate : gates) {
      try {
        gate.finished(d, now);
      } catch (RuntimeException e) {
        log.error("{} could not take note that deployment {} ended", gate.getClass().getSimpleName(), d.id(), e);
      }
    }
  }

  private Optional<Instant> fail(Deployment d, String reason) {
    move(d, DeploymentState.FAILED, reason);
    return Optional.empty();
  }

  /**
   * Records a wait once (not again while it lasts) and asks to look again later: at {@code lookAgainAt}
   * when given and sooner than the usual interval would, else after the usual interval.
   */
  private Optional<Instant> waitFor(Deployment d, DeploymentEvent.WaitKind kind, String what, Instant lookAgainAt) {
    List<DeploymentEvent> events = deployments.events(d.id(), 0);
    DeploymentEvent lastWait = events.stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT)
        .reduce((a, b) -> b).orElse(null);
    boolean sameWait = lastWait != null && lastWait.message().equals("waiting for " + what)
        && events.getLast().id() == lastWait.id();
    if (!sameWait) {
      tx.executeWithoutResult(s -> deployments.recordWait(d.id(), kind, "waiting for " + what, clock.instant()));
    }
    Instant now = clock.instant();
    Instant usual = now.plus(waitRecheck);
    if (lookAgainAt == null) {
      return Optional.of(usual);
    }
    if (kind == DeploymentEvent.WaitKind.SCHEDULE) {
      return Optional.of(lookAgainAt); // nothing but the time can end this wait
    }
    return Optional.of(lookAgainAt.isBefore(now) ? now : lookAgainAt.isBefore(usual) ? lookAgainAt : usual);
  }

  private static String names(List<TargetRun> runs) {
    return String.join(", ", runs.stream().map(TargetRun::target).toList());
  }
}
