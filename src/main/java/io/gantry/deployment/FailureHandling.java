package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What happens when a batch or the deployment verification fails, as the stage's failure policy
 * says: stop, roll back the targets touched to their previous version, or ask a person.
 */
final class FailureHandling {

  private final Deployments deployments;
  private final Library library;
  private final Targets targets;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Progress progress;
  private final StepsOnTarget steps;
  private final Aborts aborts;
  private final BlueGreen blueGreen;

  FailureHandling(Deployments deployments, Library library, Targets targets, TransactionTemplate tx, Clock clock,
      Progress progress, StepsOnTarget steps, Aborts aborts, BlueGreen blueGreen) {
    this.aborts = aborts;
    this.blueGreen = blueGreen;
    this.deployments = deployments;
    this.library = library;
    this.targets = targets;
    this.tx = tx;
    this.clock = clock;
    this.progress = progress;
    this.steps = steps;
  }

  Optional<Instant> onFailure(Deployment d, Plan plan, String what) {
    Optional<Deployments.AbortRequest> abort = aborts.requested(d.id());
    if (abort.isPresent()) {
      return aborts.apply(d, plan, progress, abort.get()); // what failed was the abort's doing
    }
    return switch (plan.stage().failurePolicy().action()) {
      case STOP -> progress.fail(d, what);
      case ROLLBACK -> {
        progress.move(d, DeploymentState.ROLLING_BACK, what
            + "; rolling back to the previous version on the targets touched");
        yield Optional.empty();
      }
      case ASK -> progress.waitFor(d, DeploymentEvent.WaitKind.DECISION,
          "a person to decide what to do (retry, skip the target or abort): " + what, null);
    };
  }

  /**
   * The "ask" policy: each failed target waits for a person's decision made after it failed: retry
   * it, skip it, or abort the deployment. Answers the wait, or empty to go on (decisions applied).
   */
  Optional<Instant> ask(Deployment d, List<TargetRun> failed, String what) {
    for (TargetRun run : failed) {
      Optional<Decision> decision = deployments.decisions(d.id(), run.target(), Engine.FAILURE_POLICY).stream()
          .filter(x -> x.appliedAt() == null).findFirst();
      if (decision.isEmpty()) {
        return progress.waitFor(d, DeploymentEvent.WaitKind.DECISION, "a person to decide on " + run.target()
            + " (retry, skip or abort): " + what, null);
      }
      Decision x = decision.get();
      switch (x.kind()) {
        case ABORT -> {
          tx.executeWithoutResult(s -> deployments.applied(x, clock.instant()));
          return progress.fail(d, "aborted by " + x.actor() + ": " + x.note() + " (" + what + ")");
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

  /**
   * Rolls every target touched back to the version it ran before, with the stage's own steps; a
   * blue-green deployment switches back to the slot that served before instead ({@link BlueGreen}).
   */
  Optional<Instant> rollBack(Deployment d, Plan plan) {
    if (BlueGreen.applies(d, plan)) {
      return blueGreen.switchBack(d, plan); // the slot served before is untouched: switched back to, not reinstalled
    }
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
      PendingWrites pending = progress.writes();
      StepResult result = steps.run(d, rolling, target, Engine.ROLLBACK, plan.stage().steps(), previous, plan, pending);
      if (result.waitFor() != null) {
        pending.flush();
        return progress.waitFor(d, result);
      }
      pending.writeWith(() -> deployments.transition(rolling, result.failure() == null ? TargetRunState.ROLLED_BACK
          : TargetRunState.FAILED, result.failure() == null ? "runs " + run.previousVersion() + " again"
          : "rollback failed: " + result.failure(), clock.instant()));
      if (result.failure() != null) {
        problems.add(run.target() + ": " + result.failure());
      }
    }
    if (problems.isEmpty()) {
      progress.move(d, DeploymentState.ROLLED_BACK, "every target touched runs its previous version again"
          + cause(d));
    } else {
      progress.move(d, DeploymentState.FAILED, "rollback incomplete: " + String.join("; ", problems) + cause(d));
    }
    return Optional.empty();
  }

  /** Why a canary was rolled back (its analysis result), to end the outcome with; empty for other rollbacks. */
  private String cause(Deployment d) {
    return deployments.events(d.id(), 0).stream()
        .filter(e -> e.kind() == DeploymentEvent.Kind.TRANSITION && e.to() == DeploymentState.ROLLING_BACK)
        .reduce((a, b) -> b).map(DeploymentEvent::message).filter(m -> m.startsWith("canary analysis failed"))
        .map(m -> " (" + (m.contains("; rolling") ? m.substring(0, m.indexOf("; rolling")) : m) + ")").orElse("");
  }
}
