package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.Slot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Deployment verification: the stage's acceptance checks on every target that succeeded (for a
 * blue-green deployment, against the slot each target switched to: a failure here switches back),
 * then its exit criteria; the deployment succeeds only when both are met.
 */
final class DeploymentVerification {

  private final Deployments deployments;
  private final Library library;
  private final Targets targets;
  private final Progress progress;
  private final StepsOnTarget steps;
  private final FailureHandling failures;
  private final StageCriteria criteria;
  private final ExecutorService workers;
  private final BlueGreen blueGreen;

  DeploymentVerification(Deployments deployments, Library library, Targets targets, Progress progress,
      StepsOnTarget steps, FailureHandling failures, StageCriteria criteria, ExecutorService workers,
      BlueGreen blueGreen) {
    this.criteria = criteria;
    this.blueGreen = blueGreen;
    this.deployments = deployments;
    this.library = library;
    this.targets = targets;
    this.progress = progress;
    this.steps = steps;
    this.failures = failures;
    this.workers = workers;
  }

  Optional<Instant> run(Deployment d, Plan plan) {
    if (d.kind() == Deployment.Kind.UNDEPLOY) {
      progress.move(d, DeploymentState.SUCCEEDED, d.component() + " removed from every target of " + d.environment());
      return Optional.empty();
    }
    ComponentVersion version = library.get(d.component(), d.version());
    List<TargetRun> runs = deployments.targetRuns(d.id()).stream()
        .filter(r -> r.state() == TargetRunState.SUCCEEDED).toList();
    List<String> failed = new ArrayList<>();
    StepResult waitFor = null;
    // the checks that passed are written with the deployment's end, in one commit (a crash before it
    // leaves them running: checks change nothing, so they run again)
    PendingWrites finishes = progress.writes();
    if (!plan.stage().acceptance().isEmpty()) {
      Integer maxParallel = plan.stage().strategy().maxParallel();
      Semaphore permits = new Semaphore(maxParallel == null ? Math.max(1, runs.size()) : maxParallel);
      List<Future<StepResult>> results = new ArrayList<>();
      for (TargetRun run : runs) {
        results.add(workers.submit(() -> {
          permits.acquire();
          try {
            Target target = targets.find(run.target()).orElseThrow();
            PendingWrites pending = progress.writes();
            // blue-green: against the slot the target switched to, now live
            Slot slot = BlueGreen.applies(d, plan) ? blueGreen.slotOf(d, plan, run.target()).orElse(null) : null;
            StepResult r = steps.run(d, run, target, Engine.VERIFY, plan.stage().acceptance(), version, slot, plan,
                pending);
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
          failed.add(r.failure());
        }
      }
    }
    if (waitFor != null || !failed.isEmpty()) {
      finishes.flush();
    }
    if (waitFor != null) {
      return progress.waitFor(d, waitFor);
    }
    if (!failed.isEmpty()) {
      return failures.onFailure(d, plan, "deployment verification failed on " + String.join("; ", failed));
    }
    if (!plan.stage().exitCriteria().isEmpty()) {
      // the checks that passed are kept, so a look while an exit criterion waits does not run them again
      finishes.flush();
      return criteria.exit(d, plan, () -> {
        progress.move(d, DeploymentState.SUCCEEDED, (plan.stage().acceptance().isEmpty() ? "all targets succeeded"
            : "acceptance checks passed on every target") + " and every exit criterion is met");
        return Optional.empty();
      });
    }
    progress.move(d, DeploymentState.SUCCEEDED, plan.stage().acceptance().isEmpty()
        ? "all targets succeeded (the stage has no acceptance checks)"
        : "acceptance checks passed on every target", finishes);
    return Optional.empty();
  }
}
