package io.gantry.deployment;

import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.TargetAccess;
import io.gantry.model.Criterion;
import io.gantry.model.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Verification of the target environment: every planned target still exists, takes every step it is
 * given, can be worked on and meets the model's requirements.
 */
final class EnvironmentVerification {

  private final Deployments deployments;
  private final Targets targets;
  private final Function<Target, TargetAccess> access;
  private final Progress progress;
  private final ExecutorService workers;

  EnvironmentVerification(Deployments deployments, Targets targets, Function<Target, TargetAccess> access,
      Progress progress, ExecutorService workers) {
    this.workers = workers;
    this.deployments = deployments;
    this.targets = targets;
    this.access = access;
    this.progress = progress;
  }

  Optional<Instant> run(Deployment d, Plan plan) {
    record Look(Target target, TargetAccess on) {}
    List<Look> accesses = new ArrayList<>();
    for (TargetRun run : deployments.targetRuns(d.id())) {
      Target target = targets.find(run.target()).orElse(null);
      if (target == null) {
        return progress.fail(d, "environment verification: target " + run.target() + " no longer exists");
      }
      TargetAccess on = access.apply(target);
      // a step the target cannot take (a shell command on a kubernetes target...) fails here, before any step acts
      for (Step step : java.util.stream.Stream.concat(plan.steps(d).stream(), plan.stage().acceptance().stream())
          .toList()) {
        if (StepsOnTarget.missingTags(step, target).isEmpty() && !on.runs(step)) {
          return progress.fail(d, "environment verification: target " + target.name() + " (" + target.definition()
              .kind().id() + ") cannot take step " + step.name() + " (" + StepsOnTarget.type(step) + ")");
        }
      }
      accesses.add(new Look(target, on));
    }
    // the looks change nothing Gantry records, so they need no claim of their own: only their answers are written,
    // by this thread
    List<String> problems = Together.each(workers, plan.stage().strategy().maxParallel(), accesses, look -> {
      String problem = look.on().verify(plan.model().spec().targetRequirements(), d.component());
      return problem == null ? null : "environment verification: target " + look.target().name() + ": " + problem;
    }, "a target's environment verification failed unexpectedly");
    for (String problem : problems) {
      if (problem != null) {
        return progress.fail(d, problem);
      }
    }
    String verified = "every target is reachable and meets the model's requirements";
    if (plan.stage().entryCriteria().stream()
        .anyMatch(c -> c instanceof Criterion.Manual || c instanceof Criterion.Check)) {
      // the entry criteria that need the targets or a person are met next, before any target changes
      progress.move(d, DeploymentState.ENVIRONMENT_VERIFIED, verified);
      return Optional.empty();
    }
    // verified, and executing: both written in one commit before any step acts
    progress.move(d, DeploymentState.ENVIRONMENT_VERIFIED, verified, DeploymentState.EXECUTING,
        Execution.executing(d));
    return Optional.empty();
  }
}
