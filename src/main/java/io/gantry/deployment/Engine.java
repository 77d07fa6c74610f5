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
 * The deployment engine. It claims due deployments (one work item per deployment, held by one worker
 * with a lease on the database's clock that a heartbeat extends on its own connection, and fenced: every
 * claim raises a token that each write under it checks, see {@link Lease}) and carries each one through planning, verification of components,
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

  /** The shortest lease a worker may claim a deployment for. */
  static final Duration MINIMUM_LEASE = Duration.ofMillis(100);

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
  /** How many times an entry of an interruption is tried, half a second apart (see recordInterruption). */
  private static final int RECORD_TRIES = 10;

  private final Deployments deployments;
  private final Models models;
  private final Environments environments;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration lease;
  private final Duration waitRecheck;
  /** This engine's name: each worker claims as this name and its own number. */
  private final String node;
  /** One permit per deployment this engine may advance at the same time. */
  private final Semaphore slots;
  /** The workers' numbers not in use now; a worker holding a permit of {@link #slots} takes one. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Integer> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final LeaseHeartbeat heartbeat;
  private final int workerCount;
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-lease-heartbeat");
    t.setDaemon(true);
    return t;
  });
  /** Looks for aborts on the work's pool: apart from the heartbeat, so an exhausted pool cannot hold the beats up. */
  private final ScheduledExecutorService abortLooks = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-abort-look");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService workers;
  /** Set once the server stops: no more claims, and each worker lets go of its deployment at its next pass. */
  private volatile boolean draining;
  /** The leases this engine's workers hold now. */
  private final java.util.Set<Lease> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
    // a new thread per task: the threads a worker starts for a deployment's targets inherit its Lease
    this.workers = observer.carrying(Executors.newVirtualThreadPerTaskExecutor());
    this.deployments = deployments;
    this.models = models;
    this.environments = environments;
    this.tx = tx;
    this.clock = clock;
    if (lease == null || lease.compareTo(MINIMUM_LEASE) < 0) {
      throw new IllegalArgumentException("gantry.engine.lease must be at least " + MINIMUM_LEASE.toMillis()
          + "ms (the heartbeat extends the leases every third of it), not " + lease);
    }
    this.lease = lease;
    this.waitRecheck = waitRecheck;
    String process = ManagementFactory.getRuntimeMXBean().getName();
    this.node = (process.length() > 60 ? process.substring(0, 60) : process) + "/"
        + UUID.randomUUID().toString().substring(0, 8);
    for (int w = 1; w <= workers; w++) {
      idle.add(w);
    }
    this.heartbeat = LeaseHeartbeat.beside(tx);
    Function<Target, TargetAccess> access = target -> TargetAccess.of(target, places, runner);
    TargetLocks locks = new TargetLocks(deployments.jdbc(), tx);
    Progress progress = new Progress(deployments, tx, clock, waitRecheck, gates, locks);
    this.progress = progress;
    this.aborts = new Aborts(deployments, tx, clock);
    StepsOnTarget steps = new StepsOnTarget(deployments, library, access, clock, outputs, aborts, locks,
        observer);
    this.planning = new Planning(deployments, library, targets, access, tx, clock, gates, progress);
    this.componentVerification = new ComponentVerification(library, progress, signatureProblem);
    this.environmentVerification = new EnvironmentVerification(deployments, targets, access, progress, this.workers);
    Analyses analyses = new Analyses(deployments, library, targets, access, clock, progress, outputs, aborts,
        this.workers, prometheus);
    BlueGreen blueGreen = new BlueGreen(deployments, new BlueGreenRecords(deployments.jdbc()), library, targets, tx,
        clock, progress, steps, analyses);
    this.failureHandling = new FailureHandling(deployments, library, targets, tx, clock, progress, steps, aborts,
        blueGreen);
    Canary canary = new Canary(deployments, clock, progress, analyses);
    this.execution = new Execution(deployments, library, targets, clock, progress, steps, failureHandling,
        this.workers, aborts, canary, blueGreen, () -> draining);
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
        int worker = idle.remove();
        Optional<Claimed> claim = claim(worker);
        if (claim.isEmpty()) {
          free(worker);
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
      int worker = idle.remove();
      Optional<Claimed> claim = claim(worker);
      if (claim.isEmpty()) {
        free(worker);
        return started;
      }
      started++;
      workers.submit(() -> advanceWhileDue(claim.get()));
    }
    return started;
  }

  /**
   * Lets go of the work, as a server does when it stops: claims no more deployments, and each worker lets
   * go of its deployment (due at once, for another server or this one's next start) as soon as the activity
   * under way ends, so no step is left with its outcome unknown. A worker still busy after {@code grace} has
   * its steps stopped, as when its lease is lost: its record says so, and the server that takes the
   * deployment on runs those steps again only if they are idempotent. Answers whether every worker let go
   * within the grace.
   */
  public boolean drain(Duration grace) {
    draining = true;
    long deadline = System.nanoTime() + grace.toNanos();
    if (awaitIdle(deadline)) {
      return true;
    }
    for (Lease held : active) {
      held.lose("the server stopped, and the steps of this worker had not ended within the "
          + grace.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + " it waits for them");
    }
    awaitIdle(System.nanoTime() + Duration.ofSeconds(10).toNanos());
    return false;
  }

  private boolean awaitIdle(long deadline) {
    while (busy()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !busy();
      }
    }
    return true;
  }

  /** Whether any worker has a deployment in hand now. */
  public boolean busy() {
    return slots.availablePermits() < workerCount;
  }

  private void advanceWhileDue(Claimed first) {
    try {
      Optional<Claimed> claim = Optional.of(first);
      while (claim.isPresent() && !Thread.currentThread().isInterrupted()) {
        advance(claim.get());
        claim = claim(first.worker());
      }
    } catch (RuntimeException e) {
      log.warn("could not claim the next due deployment; the engine loop looks again at its next poll", e);
    } finally {
      free(first.worker());
    }
  }

  /** A claim made by one worker of this engine, and when (by this node's monotonic clock) it was asked for. */
  private record Claimed(Deployments.Claim claim, int worker, String owner, long askedAt) {}

  /** The owner name a worker claims as: this engine's name and the worker's number. */
  String owner(int worker) {
    return node + "/worker-" + worker;
  }

  private Optional<Claimed> claim(int worker) {
    if (draining) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    long asked = System.nanoTime();
    String owner = owner(worker);
    Optional<Deployments.Claim> claim = tx.execute(s -> deployments.claim(owner, now, lease));
    return claim == null ? Optional.empty() : claim.map(c -> new Claimed(c, worker, owner, asked));
  }

  private void free(int worker) {
    idle.add(worker);
    slots.release();
  }

  private void advanceAndFree(Claimed claim) {
    try {
      advance(claim);
    } finally {
      free(claim.worker());
    }
  }

  /**
   * The heartbeat of one lease: extended on the heartbeat's own connection; lost when the database says
   * the claim is no longer this one, or when extending fails for longer than the lease by this node's
   * monotonic clock (another engine may have claimed it by then).
   */
  private void beat(Lease held) {
    if (held.lost()) {
      return;
    }
    long at = System.nanoTime();
    try {
      if (heartbeat.extend(held, lease)) {
        held.confirmed(at);
      } else {
        lose(held, "the database no longer holds this claim (another engine claimed the deployment after the "
            + "lease ran out, or the claim was released)");
      }
    } catch (java.sql.SQLException | RuntimeException e) {
      if (held.runOut(System.nanoTime())) {
        lose(held, "the lease could not be extended for longer than its " + lease + " (" + e.getMessage() + ")");
      } else {
        log.warn("could not extend the lease on deployment {}; tried again at the next beat", held.deployment(), e);
      }
    }
  }

  private void lose(Lease held, String why) {
    if (held.lose(why)) {
      log.warn("{}; its steps are stopped", held.why());
    }
  }

  private void advance(Claimed claimed) {
    Deployments.Claim claim = claimed.claim();
    long id = claim.deployment();
    // the lease began no earlier than the claim was asked for, by this node's monotonic clock
    Lease held = new Lease(id, claimed.owner(), claim.fence(), lease, claimed.askedAt());
    var beat = heartbeats.scheduleAtFixedRate(() -> beat(held), lease.toMillis() / 3, lease.toMillis() / 3,
        TimeUnit.MILLISECONDS);
    // an abort may be recorded by any server; the one holding the deployment looks for it this often
    long look = Math.max(100, Math.min(ABORT_LOOK.toMillis(), lease.toMillis() / 3));
    var abortLook = abortLooks.scheduleWithFixedDelay(() -> {
      try {
        aborts.look(id);
      } catch (RuntimeException e) {
        log.warn("could not look for an abort of deployment {}", id, e);
      }
    }, look, look, TimeUnit.MILLISECONDS);
    active.add(held);
    try {
      held.bind(() -> work(claim, held));
    } finally {
      active.remove(held);
      beat.cancel(false);
      abortLook.cancel(false);
      aborts.forget(id);
      held.end();
    }
  }

  /** Advances the deployment under its lease, then releases the claim (or removes the work item at its end). */
  private void work(Deployments.Claim claim, Lease held) {
    long id = claim.deployment();
    try {
      if (claim.previousOwner() != null) {
        Deployment d = deployments.get(id);
        tx.executeWithoutResult(s -> deployments.record(id, DeploymentEvent.Kind.INTERRUPTION, null, null, "gantry",
            "resumed in state " + d.state() + " after the engine " + claim.previousOwner()
                + " stopped without finishing (its lease ran out)", clock.instant()));
      }
      Optional<Instant> again = run(id, held);
      if (again.isPresent()) {
        release(claim, held, again.get());
      } else {
        tx.executeWithoutResult(s -> deployments.complete(id));
      }
    } catch (LeaseLost e) {
      recordLoss(held);
    } catch (RuntimeException e) {
      if (held.lost()) {
        recordLoss(held); // e.g. a write that failed once the lease was lost and its steps stopped
        return;
      }
      log.error("deployment {} could not be advanced; it will be tried again", id, e);
      recordFailure(held, e);
      release(claim, held, clock.instant().plus(waitRecheck));
    }
  }

  private void release(Deployments.Claim claim, Lease held, Instant due) {
    Boolean released = tx.execute(s -> deployments.release(claim, held.owner(), due, clock.instant()));
    if (!Boolean.TRUE.equals(released)) {
      held.lose("the claim was no longer this worker's when it released it");
      recordLoss(held);
    }
  }

  /**
   * Writes in the deployment's record why this worker stops short (the database went away mid-write, say),
   * so that a step whose end could not be recorded is not found "running" with no cause given (see
   * {@link #recordInterruption}; when the database stays away, the log has it).
   */
  private void recordFailure(Lease held, RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String cause = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    String what = "the engine worker " + held.owner() + " could not go on with deployment #" + held.deployment()
        + " (" + (cause.length() > 300 ? cause.substring(0, 300) + "..." : cause) + "); it lets go of it, to be "
        + "taken on again in " + waitRecheck.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    recordInterruption(held, what, false);
  }

  /**
   * Writes an {@code INTERRUPTION} entry as the worker, under its claim or (once the lease is lost) under none.
   * Tried up to {@link #RECORD_TRIES} times, half a second apart: the entry is most often written just after the
   * database went away, and after a restart the pool may hand out a connection of before it.
   */
  private void recordInterruption(Lease held, String what, boolean unbound) {
    boolean fenced = !unbound;
    for (int attempt = 1; attempt <= RECORD_TRIES; attempt++) {
      try {
        Runnable write = () -> tx.executeWithoutResult(s -> deployments.record(held.deployment(),
            DeploymentEvent.Kind.INTERRUPTION, null, null, held.owner(), what, clock.instant()));
        if (fenced) {
          write.run();
        } else {
          Lease.unbound(write);
        }
        return;
      } catch (LeaseLost lost) {
        // the lease ran out while the database was away: the entry only adds to the record, as a lost lease's does
        fenced = false;
        continue;
      } catch (RuntimeException again) {
        log.warn("could not write in deployment {}'s record (try {} of {}): {}: {}", held.deployment(), attempt,
            RECORD_TRIES, what, again.toString());
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Writes in the deployment's record that this worker lost its lease and which of its steps it
   * stopped: once every step it ran there has ended. Not under the claim (it is lost): the record only
   * grows by it, and the engine holding the deployment now goes on as it would.
   */
  private void recordLoss(Lease held) {
    List<String> stopped = held.stopped();
    String what = held.why() + (stopped.isEmpty() ? "; no step of it was running"
        : "; it stopped " + String.join(", ", stopped)) + ", and left the deployment to whichever engine holds it now";
    log.warn(what);
    recordInterruption(held, what, true);
  }

  /**
   * Runs a deployment until it ends (empty) or must wait (the time to look again); while the engine
   * drains, until the activity under way has ended (then it is due at once, for another server).
   */
  private Optional<Instant> run(long id, Lease held) {
    Plan plan = null;
    while (true) {
      held.check();
      if (draining) {
        return Optional.of(clock.instant());
      }
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
