package io.gantry.deployment;

import io.gantry.catalog.Library;
import io.gantry.environment.Environments;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.StepRunner;
import io.gantry.execution.TargetAccess;
import io.gantry.model.Models;
import io.gantry.model.Step;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The deployment engine. It claims due deployments (one work item per deployment, held with a lease
 * that a heartbeat extends) and carries each one through planning, verification of components,
 * verification of the target environment, the stage's entry criteria that need the targets or a
 * person, execution and deployment verification (with the exit criteria). Every transition
 * and every step is written before it is acted on, so another engine (or this one after a restart)
 * picks up where a dead one stopped; a step found started but not finished is run again only if it
 * is declared idempotent.
 *
 * <p>The engine holds the claim and hands the deployment to the activity its state calls for:
 * {@link Planning}, {@link ComponentVerification}, {@link EnvironmentVerification}, {@link StageCriteria},
 * {@link Execution}, {@link DeploymentVerification}, and {@link FailureHandling} when one of the last two fails.
 */
@Component
public class Engine {

  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  static final String EXECUTE = "execute";
  static final String VERIFY = "verify";
  static final String ROLLBACK = "rollback";
  /** The phases of the steps of a stage's check criteria: before execution, and after verification. */
  static final String ENTRY = "entry";
  static final String EXIT = "exit";
  /** The step name under which people's decisions on a failed target are kept. */
  static final String FAILURE_POLICY = "failure-policy";
  /** How often, at most, the engine holding a deployment looks for an abort of it. */
  private static final Duration ABORT_LOOK = Duration.ofSeconds(1);

  private final Deployments deployments;
  private final Models models;
  private final Environments environments;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration lease;
  private final Duration waitRecheck;
  private final String owner;
  /** One permit per deployment this engine may advance at the same time. */
  private final Semaphore slots;
  private final int workerCount;
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-lease-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService workers;
  private final EngineObserver observer;
  private final Planning planning;
  private final ComponentVerification componentVerification;
  private final EnvironmentVerification environmentVerification;
  private final Execution execution;
  private final DeploymentVerification deploymentVerification;
  private final FailureHandling failureHandling;
  private final StageCriteria criteria;
  private final Aborts aborts;
  private final Progress progress;

  @Autowired
  public Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock,
      io.gantry.environment.LocalTargets places,
      @Value("${gantry.engine.lease:30s}") Duration lease,
      @Value("${gantry.engine.wait-recheck:5s}") Duration waitRecheck,
      @Value("${gantry.engine.workers:8}") int workers,
      ObjectProvider<DeploymentGate> gates, StepOutputs outputs, io.gantry.catalog.Signatures signatures,
      ObjectProvider<EngineObserver> observer,
      @Value("${gantry.analysis.prometheus.url:}") String prometheusUrl,
      @Value("${gantry.analysis.prometheus.timeout:10s}") Duration prometheusTimeout) {
    this(deployments, models, library, environments, targets, runner, tx, clock, places, lease, waitRecheck,
        workers, io.gantry.shared.OrderedBeans.once(gates), outputs, signatures::problem,
        observer.getIfAvailable(() -> EngineObserver.NONE), Prometheus.of(prometheusUrl, prometheusTimeout));
  }

  /**
   * With the gates of the caller's choosing (tests); step output keeps the default tail, and local targets
   * resolve under the default local root beside {@code dataDir} ({@link io.gantry.environment.LocalTargets#beside}).
   */
  public Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock, Path dataDir, Duration lease, Duration waitRecheck,
      int workers, Supplier<List<DeploymentGate>> gates) {
    this(deployments, models, library, environments, targets, runner, tx, clock, dataDir, lease, waitRecheck,
        workers, gates, EngineObserver.NONE);
  }

  /** With the gates and the observer of the caller's choosing (tests). */
  Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock, Path dataDir, Duration lease, Duration waitRecheck,
      int workers, Supplier<List<DeploymentGate>> gates, EngineObserver observer) {
    this(deployments, models, library, environments, targets, runner, tx, clock,
        io.gantry.environment.LocalTargets.beside(dataDir), lease, waitRecheck, workers, gates,
        new StepOutputs(dataDir, StepOutputs.DEFAULT_TAIL), NO_TRUSTED_KEYS, observer, Prometheus.NONE);
  }

  /** With the gates and the Prometheus of the caller's choosing (tests). */
  Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock, Path dataDir, Duration lease, Duration waitRecheck,
      int workers, Supplier<List<DeploymentGate>> gates, Prometheus prometheus) {
    this(deployments, models, library, environments, targets, runner, tx, clock,
        io.gantry.environment.LocalTargets.beside(dataDir), lease, waitRecheck, workers, gates,
        new StepOutputs(dataDir, StepOutputs.DEFAULT_TAIL), NO_TRUSTED_KEYS, EngineObserver.NONE, prometheus);
  }

  /** Without trusted keys, a model that requires signatures finds no version signed by one. */
  static final Function<io.gantry.catalog.ComponentVersion, String> NO_TRUSTED_KEYS =
      version -> "no trusted key is known to this engine, so no signature of " + version.component() + "@"
          + version.version() + " can be verified";

  /** With the gates and the keeping of step output of the caller's choosing (tests). */
  Engine(Deployments deployments, Models models, Library library, Environments environments, Targets targets,
      StepRunner runner, TransactionTemplate tx, Clock clock, Path dataDir, Duration lease, Duration waitRecheck,
      int workers, Supplier<List<DeploymentGate>> gates, StepOutputs outputs,
      Function<io.gantry.catalog.ComponentVersion, String> signatureProblem) {
    this(deployments, models, library, environments, targets, runner, tx, clock,
        io.gantry.environment.LocalTargets.beside(dataDir), lease, waitRecheck, workers, gates, outputs,
        signatureProblem, EngineObserver.NONE, Prometheus.NONE);
  }

  private Engine(Deployments deployments, Models models, Library library, Environments environments,
      Targets targets, StepRunner runner, TransactionTemplate tx, Clock clock,
      io.gantry.environment.LocalTargets places, Duration lease, Duration waitRecheck, int workers,
      Supplier<List<DeploymentGate>> gates, StepOutputs outputs,
      Function<io.gantry.catalog.ComponentVersion, String> signatureProblem, EngineObserver observer,
      Prometheus prometheus) {
    if (workers < 1) {
      throw new IllegalArgumentException("gantry.engine.workers must be at least 1, not " + workers);
    }
    this.slots = new Semaphore(workers);
    this.workerCount = workers;
    this.observer = observer;
    this.workers = observer.carrying(Executors.newVirtualThreadPerTaskExecutor());
    this.deployments = deployments;
    this.models = models;
    this.environments = environments;
    this.tx = tx;
    this.clock = clock;
    this.lease = lease;
    this.waitRecheck = waitRecheck;
    this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    Function<Target, TargetAccess> access = target -> TargetAccess.of(target, places, runner);
    TargetLocks locks = new TargetLocks(deployments.jdbc(), tx);
    Progress progress = new Progress(deployments, tx, clock, waitRecheck, gates, locks);
    this.progress = progress;
    this.aborts = new Aborts(deployments, tx, clock);
    StepsOnTarget steps = new StepsOnTarget(deployments, library, access, clock, outputs, aborts, locks,
        observer);
    this.planning = new Planning(deployments, library, targets, access, tx, clock, gates, progress);
    this.componentVerification = new ComponentVerification(library, progress, signatureProblem);
    this.environmentVerification = new EnvironmentVerification(deployments, targets, access, progress);
    Analyses analyses = new Analyses(deployments, library, targets, access, clock, progress, outputs, aborts,
        this.workers, prometheus);
    BlueGreen blueGreen = new BlueGreen(deployments, new BlueGreenRecords(deployments.jdbc()), library, targets, tx,
        clock, progress, steps, analyses);
    this.failureHandling = new FailureHandling(deployments, library, targets, tx, clock, progress, steps, aborts,
        blueGreen);
    Canary canary = new Canary(deployments, clock, progress, analyses);
    this.execution = new Execution(deployments, library, targets, clock, progress, steps, failureHandling,
        this.workers, aborts, canary, blueGreen);
    this.criteria = new StageCriteria(deployments, library, targets, clock, progress, steps, failureHandling,
        this.workers);
    this.deploymentVerification = new DeploymentVerification(deployments, library, targets, progress, steps,
        failureHandling, criteria, this.workers, blueGreen, analyses);
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

  /** Whether any worker has a deployment in hand now. */
  public boolean busy() {
    return slots.availablePermits() < workerCount;
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
    // an abort may be recorded by any server; the one holding the deployment looks for it this often
    long look = Math.max(100, Math.min(ABORT_LOOK.toMillis(), lease.toMillis() / 3));
    var abortLook = heartbeats.scheduleWithFixedDelay(() -> {
      try {
        aborts.look(id);
      } catch (RuntimeException e) {
        log.warn("could not look for an abort of deployment {}", id, e);
      }
    }, look, look, TimeUnit.MILLISECONDS);
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
      abortLook.cancel(false);
      aborts.forget(id);
    }
  }

  /** Runs a deployment until it ends (empty) or must wait (the time to look again). */
  private Optional<Instant> run(long id, AtomicBoolean held) {
    Plan plan = null;
    while (held.get()) {
      Deployment d = deployments.get(id);
      if (plan == null) {
        plan = Plan.of(d, models, environments);
      }
      if (executing(d)) {
        Optional<Deployments.AbortRequest> abort = aborts.requested(id);
        if (abort.isPresent()) {
          aborts.apply(d, plan, progress, abort.get());
          continue;
        }
      }
      if (d.state().isFinal()) {
        return Optional.empty();
      }
      Optional<Instant> wait;
      try (EngineObserver.Work work = observer.activity(d)) {
        try {
          wait = activity(d, plan);
          if (wait != null && wait.isPresent()) {
            work.waiting("the next look at " + wait.get());
          }
        } catch (RuntimeException e) {
          work.failed(e.toString());
          throw e;
        }
      }
      if (wait == null) {
        return Optional.empty();
      }
      if (wait.isPresent() && !(aborts.stopping(id) && executing(deployments.get(id)))) {
        return wait;
      }
    }
    return Optional.of(clock.instant());
  }

  /** One pass of the activity that the deployment's state calls for: empty to go on at once, else when to look again. */
  private Optional<Instant> activity(Deployment d, Plan plan) {
    return switch (d.state()) {
      case REQUESTED -> planning.run(d, plan);
      case PLANNED -> componentVerification.run(d, plan);
      case COMPONENTS_VERIFIED -> environmentVerification.run(d, plan);
      case ENVIRONMENT_VERIFIED -> criteria.entry(d, plan, () -> execution.start(d));
      case EXECUTING -> execution.run(d, plan);
      case VERIFYING -> deploymentVerification.run(d, plan);
      case ROLLING_BACK -> failureHandling.rollBack(d, plan);
      case SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED -> throw new IllegalStateException(d.state() + " is final");
    };
  }

  /** Whether an abort applies to the deployment now: it executes or verifies (or waits in between). */
  private static boolean executing(Deployment d) {
    return d.state() == DeploymentState.EXECUTING || d.state() == DeploymentState.VERIFYING;
  }

  /** Whether a step may run again when its outcome is unknown; see {@link StepsOnTarget#idempotent}. */
  static boolean idempotent(Step step) {
    return StepsOnTarget.idempotent(step);
  }
}
