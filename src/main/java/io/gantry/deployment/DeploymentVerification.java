package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.Slot;
import io.gantry.model.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Deployment verification: the stage's acceptance checks on every target that succeeded (for a
 * blue-green deployment, against the slot each target switched to: a failure here switches back),
 * then its verification analysis when it declares one ({@link Analyses}, over the targets that succeeded),
 * then its exit criteria; the deployment succeeds only when all are met.
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
  private final Analyses analyses;

  DeploymentVerification(Deployments deployments, Library library, Targets targets, Progress progress,
      StepsOnTarget steps, FailureHandling failures, StageCriteria criteria, ExecutorService workers,
      BlueGreen blueGreen, Analyses analyses) {
    this.analyses = analyses;
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
      List<StepResult> results = Together.each(workers, plan.stage().strategy().maxParallel(), runs, run -> {
        Target target = targets.find(run.target()).orElseThrow();
        PendingWrites pending = progress.writes();
        // blue-green: against the slot the target switched to, now live
        Slot slot = BlueGreen.applies(d, plan) ? blueGreen.slotOf(d, plan, run.target()).orElse(null) : null;
        StepResult r = steps.run(d, run, target, Engine.VERIFY, plan.stage().acceptance(), version, slot, plan,
            pending);
        finishes.add(pending);
        return r.failure() == null ? r : StepResult.failed(run.target() + ": " + r.failure());
      }, "a target's verification failed unexpectedly");
      for (StepResult r : results) {
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
    Stage.Analysis verification = plan.stage().verification();
    String checked = plan.stage().acceptance().isEmpty() ? "all targets succeeded"
        : "acceptance checks passed on every target";
    if (verification != null && runs.isEmpty()) {
      return failures.onFailure(d, plan, "deployment verification failed: no target took the version (every one "
          + "was skipped), so the verification analysis has nothing to analyse");
    }
    if (verification != null) {
      // the checks that passed are kept: the analysis's rounds are waits, and its looks do not run them again
      finishes.flush();
      Analyses.Subject subject = new Analyses.Subject(AnalysisRecords.VERIFICATION, "verification analysis",
          verification, runs, "targets", List.of(), Map.of(), target -> null, "verify-analysis-",
          DeploymentEvent.WaitKind.VERIFY_ANALYSIS, plan.stage().strategy().maxParallel());
      switch (analyses.advance(d, subject, (passed, outcome) -> {})) {
        case Analyses.Outcome.Passed p -> checked += " and the verification analysis passed";
        case Analyses.Outcome.Failed f -> {
          return failures.onFailure(d, plan, "deployment verification failed: " + f.outcome());
        }
        case Analyses.Outcome.Waits w -> {
          return progress.waitFor(d, w.kind(), w.what(), w.at());
        }
        case Analyses.Outcome.Aborted a -> {
          return Optional.empty(); // the engine applies the abort
        }
      }
    }
    String passed = checked;
    if (!plan.stage().exitCriteria().isEmpty()) {
      // the checks that passed are kept, so a look while an exit criterion waits does not run them again
      finishes.flush();
      return criteria.exit(d, plan, () -> {
        progress.move(d, DeploymentState.SUCCEEDED, passed + " and every exit criterion is met");
        return Optional.empty();
      });
    }
    progress.move(d, DeploymentState.SUCCEEDED, plan.stage().acceptance().isEmpty() && verification == null
        ? "all targets succeeded (the stage has no acceptance checks)" : passed, finishes);
    return Optional.empty();
  }
}
