package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.execution.Preparation;
import io.gantry.execution.Slot;
import io.gantry.execution.StepContext;
import io.gantry.execution.StepOutcome;
import io.gantry.execution.TargetAccess;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the steps of one phase (execution, deployment verification or rollback) on one target, from
 * the first not yet done, and ends the steps that wait for people once they have decided.
 */
final class StepsOnTarget {

  private final Deployments deployments;
  private final Library library;
  private final Function<Target, TargetAccess> access;
  private final Clock clock;
  private final StepOutputs outputs;
  private final Aborts aborts;
  private final TargetLocks locks;
  private final EngineObserver observer;

  StepsOnTarget(Deployments deployments, Library library, Function<Target, TargetAccess> access, Clock clock,
      StepOutputs outputs, Aborts aborts, TargetLocks locks, EngineObserver observer) {
    this.observer = observer;
    this.aborts = aborts;
    this.locks = locks;
    this.deployments = deployments;
    this.library = library;
    this.access = access;
    this.clock = clock;
    this.outputs = outputs;
  }

  /**
   * Takes the target for the deployment (a target runs one deployment's steps at a time, whatever the
   * component): empty when it holds the target now, else a wait for the deployment that holds it.
   */
  Optional<StepResult> take(Deployment d, String target) {
    return locks.take(d.id(), target, clock.instant()).map(holder -> StepResult.targetBusy("target " + target
        + " to be free: deployment #" + holder.deployment() + " (" + holder.component() + ") runs its steps there, "
        + "and a target runs one deployment's steps at a time"));
  }

  /**
   * Runs the steps from the first not yet done, holding the target (see {@link #take}) and in the
   * component's own folder there, made ready first. A step that succeeded is recorded as such in the
   * commit that records the next step's start (or, for the last, left in {@code pending} for the
   * caller's next commit); the target is let go of in that commit too, unless the steps wait there.
   */
  StepResult run(Deployment d, TargetRun run, Target target, String phase, List<Step> steps, ComponentVersion version,
      Plan plan, PendingWrites pending) {
    return run(d, run, target, phase, steps, version, null, plan, pending);
  }

  /** As {@link #run(Deployment, TargetRun, Target, String, List, ComponentVersion, Plan, PendingWrites)}, in a slot. */
  StepResult run(Deployment d, TargetRun run, Target target, String phase, List<Step> steps, ComponentVersion version,
      Slot slot, Plan plan, PendingWrites pending) {
    try (EngineObserver.Work work = observer.target(d, target.name(), phase)) {
      StepResult result = runHeld(d, run, target, phase, steps, version, slot, plan, pending);
      if (result.failure() != null) {
        work.failed(result.failure());
      } else if (result.waitFor() != null) {
        work.waiting(result.waitFor());
      }
      return result;
    }
  }

  private StepResult runHeld(Deployment d, TargetRun run, Target target, String phase, List<Step> steps,
      ComponentVersion version, Slot slot, Plan plan, PendingWrites pending) {
    Optional<StepResult> busy = take(d, target.name());
    if (busy.isPresent()) {
      return busy.get();
    }
    TargetAccess on = access.apply(target);
    Preparation prepared = on.prepare(d.component(), () -> deployments.componentsChangingFilesOn(target.name()));
    if (prepared.note() != null) {
      pending.add(() -> deployments.record(d.id(), DeploymentEvent.Kind.LOG, run.target(), null, "gantry",
          prepared.note(), clock.instant()));
    }
    StepResult result = prepared.ready() ? runSteps(d, run, target, on, phase, steps, version, slot, plan, pending)
        : StepResult.failed(prepared.problem());
    if (result.waitFor() == null) {
      pending.add(() -> locks.release(d.id(), target.name(), clock.instant()));
    }
    return result;
  }

  /** Whether a person decided to retry the target (under the "ask" policy) after {@code step} ended. */
  private boolean retriedSince(Deployment d, TargetRun run, StepRun step) {
    return deployments.decisions(d.id(), run.target(), Engine.FAILURE_POLICY).stream()
        .anyMatch(x -> x.kind() == Decision.Kind.RETRY && x.appliedAt() != null
            && !x.appliedAt().isBefore(step.finishedAt()));
  }

  private StepResult runSteps(Deployment d, TargetRun run, Target target, TargetAccess on, String phase,
      List<Step> steps, ComponentVersion version, Slot slot, Plan plan, PendingWrites pending) {
    List<StepRun> done = deployments.stepRuns(run).stream().filter(s -> s.phase().equals(phase)).toList();
    Map<Integer, StepRun> last = new HashMap<>();
    done.forEach(s -> last.put(s.index(), s));
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      StepRun previous = last.get(i);
      if (previous != null && (previous.state() == StepRunState.SUCCEEDED
          || previous.state() == StepRunState.SKIPPED)) {
        continue;
      }
      List<String> missing = missingTags(step, target);
      if (previous == null && !missing.isEmpty()) {
        int index = i;
        String reason = run.target() + " does not carry the tag" + (missing.size() == 1 ? " " : "s ")
            + String.join(", ", missing) + " that the step is for";
        Instant skipped = clock.instant();
        pending.add(() -> deployments.skipStep(run, phase, index, step.name(), type(step), idempotent(step), reason,
            skipped));
        continue;
      }
      if (previous != null && previous.state() == StepRunState.WAITING) {
        Optional<StepOutcome> decided = decided(d, run, step);
        Instant expiresAt = step.timeout() == null ? null : previous.finishedAt().plus(step.timeout().toDuration());
        if (decided.isEmpty() && expiresAt != null && !clock.instant().isBefore(expiresAt)) {
          String reason = expired(d, run, step);
          pending.writeWith(() -> deployments.finishStep(previous, run, StepRunState.FAILED, null, reason,
              clock.instant()));
          return StepResult.failed("step " + step.name() + " failed: " + reason);
        }
        if (decided.isEmpty()) {
          return StepResult.waiting(step, step.name() + " on " + run.target() + ": " + previous.outcome(), expiresAt);
        }
        if (decided.get() instanceof StepOutcome.Failed rejected) {
          pending.writeWith(() -> deployments.finishStep(previous, run, StepRunState.FAILED, null, rejected.reason(),
              clock.instant()));
          return StepResult.failed("step " + step.name() + " failed: " + rejected.reason());
        }
        String summary = ((StepOutcome.Succeeded) decided.get()).summary();
        Instant signedAt = clock.instant();
        pending.add(() -> deployments.finishStep(previous, run, StepRunState.SUCCEEDED, null, summary, signedAt));
        continue;
      }
      if (previous != null && previous.state() == StepRunState.RUNNING) {
        boolean idempotent = switching(phase) ? switchIdempotent(step) : idempotent(step);
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
      } else if (previous != null && previous.state() == StepRunState.UNKNOWN
          && !(switching(phase) ? switchIdempotent(step) : idempotent(step)) && !retriedSince(d, run, previous)) {
        // an engine before found it interrupted and recorded so, then stopped before it failed the target: its
        // decision stands, and the step is not run again unless a person retried the target since
        return StepResult.failed("step " + step.name() + " on " + run.target() + " was interrupted; its outcome is "
            + "unknown and it is not declared idempotent: a person must check " + run.target()
            + " before deploying again");
      }
      boolean abortable = !phase.equals(Engine.ROLLBACK) && !phase.equals(BlueGreen.SWITCH_BACK);
      if (abortable && aborts.stopping(d.id())) {
        return StepResult.failed("aborted before step " + step.name() + " on " + run.target());
      }
      int retries = plan.stage().failurePolicy().retries() == null ? 0 : plan.stage().failurePolicy().retries();
      Duration delay = plan.stage().failurePolicy().retryDelay() == null ? Duration.ZERO
          : plan.stage().failurePolicy().retryDelay().toDuration();
      int attempt = previous == null ? 1 : previous.attempt() + 1;
      if (previous != null && previous.state() == StepRunState.FAILED && previous.attempt() <= retries
          && clock.instant().isBefore(previous.finishedAt().plus(delay))) {
        // the failed attempt is recorded: the next one is due its retry delay after it ended
        return retryAt(step, run, previous.attempt(), retries, previous.finishedAt().plus(delay));
      }
      while (true) {
        int thisAttempt = attempt;
        StepRun started = pending.writeWith(() -> deployments.startStep(run, phase, steps.indexOf(step), step.name(),
            switching(phase) ? BlueGreen.SWITCH_KIND : type(step),
            switching(phase) ? switchIdempotent(step) : idempotent(step), thisAttempt, clock.instant()));
        // on H2 the start's check of the claim takes no lock: a claim made before its commit is not seen by it, and
        // its maker may not have seen this start. Look again now that the start is committed, before anything runs:
        // a claim made after this look finds the step started (on PostgreSQL no claim falls in between)
        if (!deployments.fencesUntilCommit()) {
          deployments.fence(d.id());
        }
        StepOutputs.Capture output = outputs.capture(d.id(), started.id());
        StepContext context = on.context(version, slot, variables(d, target, version), library::open, output);
        StepOutcome outcome;
        try (EngineObserver.Work attempted = observer.step(d, run.target(), phase, step.name(),
            started.type(), thisAttempt)) {
          try {
            Supplier<StepOutcome> work = switching(phase) ? () -> on.switchTo(context, BlueGreen.command(step))
                : () -> on.run(step, context);
            Supplier<StepOutcome> stoppable = abortable ? () -> aborts.run(d.id(), run.target(), step, work::get)
                : work;
            // a step is stopped when its lease is lost too, in every phase, and its outcome is then nobody's
            Lease lease = Lease.bound(d.id());
            outcome = lease == null ? stoppable.get() : lease.run(run.target(), step.name(), stoppable);
          } catch (RuntimeException e) {
            attempted.failed(e.toString());
            throw e;
          } finally {
            output.finish();
          }
          switch (outcome) {
            case StepOutcome.Failed failed -> attempted.failed(failed.reason());
            case StepOutcome.NeedsPerson person -> attempted.waiting(person.what());
            case StepOutcome.Succeeded ok -> { }
          }
        }
        StepOutput text = output.finish();
        switch (outcome) {
          case StepOutcome.Succeeded ok -> {
            Instant finished = clock.instant();
            pending.add(() -> deployments.finishStepWithOutput(started, run, StepRunState.SUCCEEDED, text,
                ok.summary(), finished));
          }
          case StepOutcome.NeedsPerson person -> {
            Instant waiting = clock.instant().truncatedTo(ChronoUnit.MICROS);
            pending.writeWith(() -> deployments.finishStepWithOutput(started, run, StepRunState.WAITING, text,
                person.what(), waiting));
            return StepResult.waiting(step, step.name() + " on " + run.target() + ": " + person.what(),
                step.timeout() == null ? null : waiting.plus(step.timeout().toDuration()));
          }
          case StepOutcome.Failed failed -> {
            Instant failedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
            pending.writeWith(() -> deployments.finishStepWithOutput(started, run, StepRunState.FAILED, text,
                failed.reason(), failedAt));
            boolean aborted = abortable && aborts.stopping(d.id());
            if (thisAttempt <= retries && delay.isPositive() && !aborted) {
              return retryAt(step, run, thisAttempt, retries, failedAt.plus(delay));
            }
            if (thisAttempt <= retries && !aborted) {
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

  /** Whether the phase is a blue-green switch (or switch back), whose one step moves the live link. */
  private static boolean switching(String phase) {
    return phase.equals(BlueGreen.SWITCH) || phase.equals(BlueGreen.SWITCH_BACK);
  }

  /**
   * A switch only moves a link and runs the declared command for the same slot again, so it runs again
   * after an interruption unless its command is declared not idempotent.
   */
  private static boolean switchIdempotent(Step step) {
    return step.idempotent() == null || step.idempotent();
  }

  /** A wait for the next attempt of a failed step, named so that every look at it reads the same. */
  private static StepResult retryAt(Step step, TargetRun run, int failedAttempt, int retries, Instant at) {
    return StepResult.retryAt("retry " + failedAttempt + " of " + retries + " of step " + step.name() + " on "
        + run.target() + " at " + at, at);
  }

  /** The tags the step is for that the target does not carry: empty when the step runs on it. */
  static List<String> missingTags(Step step, Target target) {
    if (step.targets() == null || step.targets().isEmpty()) {
      return List.of();
    }
    return step.targets().stream().filter(tag -> !target.definition().tags().contains(tag)).toList();
  }

  /**
   * Whether a step may run again when its outcome is unknown: as declared, else by its type (an
   * {@code http-check} and a {@code wait} change nothing, so they are; a {@code kubernetes.apply} declares the
   * same objects again, so it is; the others are not).
   */
  static boolean idempotent(Step step) {
    if (step.idempotent() != null) {
      return step.idempotent();
    }
    return step instanceof Step.HttpCheck || step instanceof Step.Wait || step instanceof Step.KubernetesApply;
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
      case Step.KubernetesApply k -> "kubernetes.apply";
    };
  }

  /** Why a manual or approval step that nobody ended within its timeout fails. */
  private String expired(Deployment d, TargetRun run, Step step) {
    String within = " within " + step.timeout().text();
    if (step instanceof Step.Approval a) {
      long approvers = deployments.decisions(d.id(), run.target(), step.name()).stream()
          .filter(x -> x.kind() == Decision.Kind.APPROVE).map(Decision::actor).distinct().count();
      int needed = a.count() == null ? 1 : a.count();
      return approvers == 0 ? "nobody decided" + within : "only " + approvers + " of " + needed + " approved" + within;
    }
    return "nobody signed off" + within;
  }

  /** What people decided on a manual or approval step, if enough to end it. */
  private Optional<StepOutcome> decided(Deployment d, TargetRun run, Step step) {
    List<Decision> decisions = deployments.decisions(d.id(), run.target(), step.name());
    return switch (step) {
      // the first sign-off or rejection ends it (a later one is refused when made)
      case Step.Manual m -> decisions.stream()
          .filter(x -> x.kind() == Decision.Kind.SIGNOFF || x.kind() == Decision.Kind.REJECT).findFirst()
          .map(x -> x.kind() == Decision.Kind.SIGNOFF
              ? new StepOutcome.Succeeded("signed off by " + x.actor() + ": " + x.note())
              : new StepOutcome.Failed("rejected by " + x.actor() + ": " + x.note()));
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
  static Map<String, String> variables(Deployment d, Target target, ComponentVersion version) {
    Map<String, String> variables = new HashMap<>();
    variables.put("environment", d.environment());
    variables.put("target", target.name());
    variables.put("version", version.version().value());
    variables.put("component", d.component().component());
    variables.put("service", d.component().service());
    return variables;
  }
}
