package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.model.Criterion;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stage's criteria that need the targets or a person: {@code check} and {@code manual}. Entry
 * criteria are met, in the order declared, once the target environment is verified and before any
 * target changes (a failed one fails the deployment); exit criteria after deployment verification,
 * before the deployment succeeds (a failed one runs the failure policy). A check runs its step on
 * every target of the deployment; a manual criterion waits, as a wait of its own kind in the record,
 * for a holder of its role to confirm it. Everything is read from the record on each look, so a
 * restart waits for the same criterion, from the same start.
 */
final class StageCriteria {

  /** The lists of criteria, as configuration errors and confirmations name them: {@code entryCriteria[0]}. */
  static final String ENTRY = "entryCriteria";
  static final String EXIT = "exitCriteria";

  private final Deployments deployments;
  private final Library library;
  private final Targets targets;
  private final Clock clock;
  private final Progress progress;
  private final StepsOnTarget steps;
  private final FailureHandling failures;
  private final ExecutorService workers;

  StageCriteria(Deployments deployments, Library library, Targets targets, Clock clock, Progress progress,
      StepsOnTarget steps, FailureHandling failures, ExecutorService workers) {
    this.deployments = deployments;
    this.library = library;
    this.targets = targets;
    this.clock = clock;
    this.progress = progress;
    this.steps = steps;
    this.failures = failures;
    this.workers = workers;
  }

  static String name(String list, int index) {
    return list + "[" + index + "]";
  }

  /** The wait kind of a manual criterion of the list. */
  static DeploymentEvent.WaitKind waitKind(String list) {
    return list.equals(ENTRY) ? DeploymentEvent.WaitKind.ENTRY_CONFIRMATION
        : DeploymentEvent.WaitKind.EXIT_CONFIRMATION;
  }

  /**
   * The entry criteria of type check and manual, on every planned target; when all are met, {@code met}
   * (execution starts). A failed one fails the deployment: no target has been touched.
   */
  Optional<Instant> entry(Deployment d, Plan plan, Supplier<Optional<Instant>> met) {
    return meet(d, plan, ENTRY, plan.stage().entryCriteria(), deployments.targetRuns(d.id()), met,
        reason -> progress.fail(d, reason));
  }

  /**
   * The exit criteria, on every target that succeeded; when all are met, {@code met} (the deployment
   * succeeds). A failed one runs the stage's failure policy.
   */
  Optional<Instant> exit(Deployment d, Plan plan, Supplier<Optional<Instant>> met) {
    List<TargetRun> succeeded = deployments.targetRuns(d.id()).stream()
        .filter(r -> r.state() == TargetRunState.SUCCEEDED).toList();
    return meet(d, plan, EXIT, plan.stage().exitCriteria(), succeeded, met,
        reason -> failures.onFailure(d, plan, reason));
  }

  private Optional<Instant> meet(Deployment d, Plan plan, String list, List<Criterion> criteria, List<TargetRun> runs,
      Supplier<Optional<Instant>> met, Function<String, Optional<Instant>> failed) {
    for (int i = 0; i < criteria.size(); i++) {
      Optional<Instant> unmet = switch (criteria.get(i)) {
        case Criterion.Manual manual -> manual(d, list, i, manual, failed);
        case Criterion.Check check -> check(d, plan, list, i, criteria, runs, failed);
        // known before the deployment starts: checked at the request and in planning
        case Criterion.StageSucceeded s -> null;
        case Criterion.VersionStatus v -> null;
      };
      if (unmet != null) {
        return unmet;
      }
    }
    return met.get();
  }

  private static String label(String list, int index, Criterion criterion) {
    String kind = list.equals(ENTRY) ? "entry criterion " : "exit criterion ";
    return kind + name(list, index) + switch (criterion) {
      case Criterion.Manual m -> " (" + m.description() + ")";
      case Criterion.Check c -> " (check " + c.step().name() + ")";
      default -> "";
    };
  }

  /** Null when a holder of the role confirmed it; else the wait for one, or the failure of a rejection or timeout. */
  private Optional<Instant> manual(Deployment d, String list, int index, Criterion.Manual manual,
      Function<String, Optional<Instant>> failed) {
    String name = name(list, index);
    String what = label(list, index, manual);
    Optional<Decision> decided = deployments.decisions(d.id(), Execution.ALL_TARGETS, name).stream()
        .filter(x -> x.kind() == Decision.Kind.CONFIRM || x.kind() == Decision.Kind.REJECT).findFirst();
    if (decided.isPresent()) {
      Decision x = decided.get();
      return x.kind() == Decision.Kind.CONFIRM ? null
          : failed.apply(what + " rejected by " + x.actor() + ": " + x.note());
    }
    DeploymentEvent.WaitKind kind = waitKind(list);
    String waitingFor = "a holder of the role " + manual.role() + " to confirm " + what + " (gantry confirm " + d.id()
        + " --criterion '" + name + "' --note TEXT)";
    Instant expiresAt = null;
    if (manual.timeout() != null) {
      // the wait began when it was first recorded; a restart does not move its end
      Instant since = deployments.events(d.id(), 0).stream()
          .filter(e -> e.kind() == DeploymentEvent.Kind.WAIT && e.waitingFor() == kind
              && e.message().equals("waiting for " + waitingFor))
          .map(DeploymentEvent::at).findFirst().orElse(clock.instant());
      expiresAt = since.plus(manual.timeout().toDuration());
      if (!clock.instant().isBefore(expiresAt)) {
        return failed.apply(what + " was not confirmed within " + manual.timeout().text());
      }
    }
    return progress.waitFor(d, kind, waitingFor, expiresAt);
  }

  /**
   * Null when the check's step passed on every target (those its {@code targets} tags leave out
   * record it skipped); else the failure with each target's reason, which carries the step's last
   * lines of output, or the wait for the step's next try.
   */
  private Optional<Instant> check(Deployment d, Plan plan, String list, int index, List<Criterion> criteria,
      List<TargetRun> runs, Function<String, Optional<Instant>> failed) {
    // the checks of the list so far, in order, so each keeps its place among the step runs of the phase;
    // those that passed before are not run again
    List<Step> checks = criteria.subList(0, index + 1).stream().filter(Criterion.Check.class::isInstance)
        .map(c -> ((Criterion.Check) c).step()).toList();
    String phase = list.equals(ENTRY) ? Engine.ENTRY : Engine.EXIT;
    ComponentVersion version = library.get(d.component(), d.version());
    List<StepResult> results = Together.each(workers, plan.stage().strategy().maxParallel(), runs, run -> {
      Target target = targets.find(run.target()).orElse(null);
      if (target == null) {
        return StepResult.failed(run.target() + ": the target no longer exists");
      }
      PendingWrites pending = progress.writes();
      StepResult r = steps.run(d, run, target, phase, checks, version, plan, pending);
      pending.flush();
      return r.failure() == null ? r : StepResult.failed(run.target() + ": " + r.failure());
    }, "a target's check failed unexpectedly");
    StepResult waitFor = null;
    List<String> failures = new ArrayList<>();
    for (StepResult r : results) {
      if (r.waitFor() != null && waitFor == null) {
        waitFor = r;
      }
      if (r.failure() != null) {
        failures.add(r.failure());
      }
    }
    if (!failures.isEmpty()) {
      return failed.apply(label(list, index, criteria.get(index)) + " failed on " + String.join("; ", failures));
    }
    return waitFor == null ? null : progress.waitFor(d, waitFor);
  }
}
