package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Execution: the stage's steps on every target, batch after batch, up to the strategy's number of
 * targets at a time; a failed batch goes to the failure policy before the next one starts.
 */
final class Execution {

  static final String VERIFYING = "every target ran the steps; verifying the deployment";

  private final Deployments deployments;
  private final Library library;
  private final Targets targets;
  private final Clock clock;
  private final Progress progress;
  private final StepsOnTarget steps;
  private final FailureHandling failures;
  private final ExecutorService workers;
  private final Aborts aborts;
  private final Canary canary;
  private final BlueGreen blueGreen;

  /** Whether the engine is letting go of its work (see {@link Engine#drain}). */
  private final java.util.function.BooleanSupplier draining;

  Execution(Deployments deployments, Library library, Targets targets, Clock clock, Progress progress,
      StepsOnTarget steps, FailureHandling failures, ExecutorService workers, Aborts aborts, Canary canary,
      BlueGreen blueGreen, java.util.function.BooleanSupplier draining) {
    this.draining = draining;
    this.aborts = aborts;
    this.canary = canary;
    this.blueGreen = blueGreen;
    this.deployments = deployments;
    this.library = library;
    this.targets = targets;
    this.clock = clock;
    this.progress = progress;
    this.steps = steps;
    this.failures = failures;
    this.workers = workers;
  }

  static String executing(Deployment d) {
    return "executing the steps of stage " + d.stage();
  }

  /** Starts executing a deployment whose environment was verified (in a commit of its own, by an older engine). */
  Optional<Instant> start(Deployment d) {
    progress.move(d, DeploymentState.EXECUTING, executing(d));
    return Optional.empty();
  }

  Optional<Instant> run(Deployment d, Plan plan) {
    ComponentVersion version = library.get(d.component(), d.version());
    List<TargetRun> runs = deployments.targetRuns(d.id());
    int batches = runs.stream().mapToInt(TargetRun::batch).max().orElse(-1) + 1;
    boolean canaryFirst = Canary.applies(d, plan);
    for (int b = 0; b < batches; b++) {
      int batch = b;
      List<TargetRun> inBatch = runs.stream().filter(r -> r.batch() == batch).toList();
      if (canaryFirst && batch == 1) {
        // the rest wait for the canary's pause and analysis (see Canary)
        Optional<Instant> held = canary.holdBack(d, plan);
        if (held != null) {
          return held;
        }
      }
      // the runs are read again only for a pause, whose start is the recorded end of the batch before
      if (batch > 0 && plan.stage().strategy().pauseBetweenBatches() != null) {
        Optional<Instant> pause = pause(d, plan, deployments.targetRuns(d.id()), batch, batches);
        if (pause.isPresent()) {
          return pause;
        }
      }
      // a batch that is not the last has its acceptance checks run before the next batch starts, so a
      // bad version stops at the first batch that shows it; the last is checked in deployment verification
      boolean checkNow = (batch < batches - 1 || canaryFirst && batch == 0) && d.kind() == Deployment.Kind.DEPLOY;
      Optional<Instant> wait = runBatch(d, plan, inBatch, plan.steps(d), version, checkNow);
      if (wait.isPresent()) {
        return wait;
      }
      if (aborts.stopping(d.id())) {
        return Optional.empty(); // the engine applies the abort, before any later batch starts
      }
      List<TargetRun> failed = deployments.targetRuns(d.id()).stream()
          .filter(r -> r.batch() == batch && r.state() == TargetRunState.FAILED).toList();
      if (!failed.isEmpty()) {
        String what = "batch " + (batch + 1) + " of " + batches + " failed on " + names(failed) + ": "
            + failed.getFirst().outcome();
        if (plan.stage().failurePolicy().action() == Stage.FailurePolicy.Action.ASK) {
          return failures.ask(d, failed, what);
        }
        return failures.onFailure(d, plan, what);
      }
      if (draining.getAsBoolean() && batch < batches - 1) {
        return Optional.of(clock.instant()); // the server stops: the next batch is another server's
      }
    }
    if (canaryFirst && batches == 1) {
      Optional<Instant> held = canary.holdBack(d, plan); // a canary of the only target: analysed all the same
      if (held != null) {
        return held;
      }
    }
    if (d.kind() == Deployment.Kind.UNDEPLOY
        || (plan.stage().acceptance().isEmpty() && plan.stage().exitCriteria().isEmpty()
        && plan.stage().verification() == null)) {
      // nothing to check: verifying and the end are written in one commit
      String end = d.kind() == Deployment.Kind.UNDEPLOY
          ? d.component() + " removed from every target of " + d.environment()
          : "all targets succeeded (the stage has no acceptance checks)";
      progress.move(d, DeploymentState.VERIFYING, VERIFYING, DeploymentState.SUCCEEDED, end);
      return Optional.empty();
    }
    progress.move(d, DeploymentState.VERIFYING, VERIFYING);
    return Optional.empty();
  }

  /**
   * The stage's pause before batch {@code batch} starts: a wait until the pause has passed since the
   * batch before it ended, unless a person resumed the deployment early or the batch has begun.
   * Derived from the record, so a restart during the pause keeps its end.
   */
  private Optional<Instant> pause(Deployment d, Plan plan, List<TargetRun> runs, int batch, int batches) {
    TimeSpan pause = plan.stage().strategy().pauseBetweenBatches();
    if (pause == null || runs.stream().anyMatch(r -> r.batch() == batch && r.state() != TargetRunState.PENDING)) {
      return Optional.empty();
    }
    Instant before = runs.stream().filter(r -> r.batch() == batch - 1 && r.finishedAt() != null)
        .map(TargetRun::finishedAt).max(Instant::compareTo).orElse(null);
    if (before == null) {
      return Optional.empty();
    }
    Instant ends = before.plus(pause.toDuration());
    Optional<Decision> resumed = deployments.decisions(d.id(), ALL_TARGETS, PAUSE).stream()
        .filter(x -> x.kind() == Decision.Kind.RESUME && x.appliedAt() == null).findFirst();
    if (resumed.isPresent()) {
      // recorded when it was decided; applied once, so a later pause of the same deployment is kept
      progress.writes().writeWith(() -> deployments.applied(resumed.get(), clock.instant()));
      return Optional.empty();
    }
    if (!clock.instant().isBefore(ends)) {
      return Optional.empty();
    }
    return progress.waitFor(d, DeploymentEvent.WaitKind.PAUSE, "the pause of " + pause.text() + " between batches "
        + batch + " and " + (batch + 1) + " of " + batches + " to end at " + ends + " (gantry resume " + d.id()
        + " ends it now)", ends);
  }

  /** Where a resume is recorded among the decisions: for the whole deployment, not one target. */
  static final String ALL_TARGETS = "*";
  static final String PAUSE = "pause-between-batches";

  private Optional<Instant> runBatch(Deployment d, Plan plan, List<TargetRun> batch, List<Step> stepsToRun,
      ComponentVersion version, boolean checkNow) {
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
          if (aborts.stopping(d.id())) {
            return StepResult.DONE; // aborted before this target was touched: it stays pending
          }
          return runTarget(d, plan, run, stepsToRun, version, checkNow);
        } finally {
          permits.release();
        }
      }));
    }
    StepResult waitFor = null;
    // every target's work has ended before the batch's outcome is acted on, even when one target's threw
    for (StepResult r : Together.all(results, "a target's work failed unexpectedly")) {
      // of several targets waiting (e.g. each for its idle slot's next analysis round), the soonest look counts
      if (r.waitFor() != null && (waitFor == null || sooner(r.lookAgainAt(), waitFor.lookAgainAt()))) {
        waitFor = r;
      }
    }
    return waitFor == null ? Optional.empty() : progress.waitFor(d, waitFor);
  }

  /** Whether a look at {@code a} comes before one at {@code b}; null is the usual interval, after any time. */
  private static boolean sooner(Instant a, Instant b) {
    return a != null && (b == null || a.isBefore(b));
  }

  private StepResult runTarget(Deployment d, Plan plan, TargetRun run, List<Step> stepsToRun,
      ComponentVersion version, boolean checkNow) {
    Target target = targets.find(run.target()).orElse(null);
    Optional<StepResult> busy = target == null ? Optional.empty() : steps.take(d, run.target());
    if (busy.isPresent()) {
      return busy.get(); // it has not started there: it waits for the target before it does
    }
    // the target's start is written in the commit that starts its first step (or ends it)
    AtomicReference<TargetRun> current = new AtomicReference<>(run);
    PendingWrites pending = progress.writes();
    if (run.state() == TargetRunState.PENDING) {
      Instant started = clock.instant();
      pending.add(() -> current.set(deployments.transition(run, TargetRunState.RUNNING, null, started)));
    }
    if (target == null) {
      pending.writeWith(() -> deployments.transition(current.get(), TargetRunState.FAILED,
          "the target no longer exists", clock.instant()));
      return StepResult.failed("target missing");
    }
    if (BlueGreen.applies(d, plan)) {
      // the idle slot's steps, its acceptance checks and the switch (see BlueGreen)
      StepResult switched = blueGreen.runTarget(d, plan, run, target, version, pending);
      pending.writeWith(() -> {
        if (switched.waitFor() == null) {
          deployments.transition(current.get(), switched.failure() == null ? TargetRunState.SUCCEEDED
              : TargetRunState.FAILED, switched.failure(), clock.instant());
        }
      });
      return switched;
    }
    StepResult ran = steps.run(d, run, target, Engine.EXECUTE, stepsToRun, version, plan, pending);
    StepResult result = ran;
    if (checkNow && ran.failure() == null && ran.waitFor() == null && !plan.stage().acceptance().isEmpty()) {
      StepResult checked = steps.run(d, run, target, Engine.VERIFY, plan.stage().acceptance(), version, plan, pending);
      result = checked.failure() == null ? checked : StepResult.failed("acceptance check failed: " + checked.failure());
    }
    StepResult ended = result;
    pending.writeWith(() -> {
      if (ended.waitFor() == null) {
        deployments.transition(current.get(), ended.failure() == null ? TargetRunState.SUCCEEDED
            : TargetRunState.FAILED, ended.failure(), clock.instant());
      }
    });
    return ended;
  }

  private static String names(List<TargetRun> runs) {
    return String.join(", ", runs.stream().map(TargetRun::target).toList());
  }
}
