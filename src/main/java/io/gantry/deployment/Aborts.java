package io.gantry.deployment;

import io.gantry.execution.Cancellation;
import io.gantry.execution.StepOutcome;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Aborts of executing deployments, as the engine that holds them acts on them. The abort is recorded
 * by whichever server took the request ({@link DeploymentAborts}); the engine holding the deployment
 * looks for it while it works ({@link #look}), stops the steps running for it by interrupting their
 * threads (a shell step's process tree is killed, an SSH command's remote session too), lets no new
 * step start, and then ends the deployment as the stage's failure policy says ({@link #apply}).
 */
final class Aborts {

  private final Deployments deployments;
  private final TransactionTemplate tx;
  private final Clock clock;
  /** The aborts seen for deployments this engine holds. */
  private final Map<Long, Deployments.AbortRequest> seen = new ConcurrentHashMap<>();
  /** The threads running a step of execution or verification, per deployment; guarded by this. */
  private final Map<Long, Set<Thread>> running = new HashMap<>();
  /** The threads this interrupted and that have not yet seen it; guarded by this. */
  private final Set<Thread> interrupted = new HashSet<>();

  Aborts(Deployments deployments, TransactionTemplate tx, Clock clock) {
    this.deployments = deployments;
    this.tx = tx;
    this.clock = clock;
  }

  /** Looks for a recorded abort of a deployment this engine holds, and stops its running steps if there is one. */
  void look(long deployment) {
    if (!seen.containsKey(deployment)) {
      requested(deployment);
    }
    if (seen.containsKey(deployment)) {
      stop(deployment);
    }
  }

  /** The abort of a deployment, if one was requested (as seen by this engine, else as recorded). */
  Optional<Deployments.AbortRequest> requested(long deployment) {
    Deployments.AbortRequest known = seen.get(deployment);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<Deployments.AbortRequest> recorded = deployments.abortRequest(deployment);
    recorded.ifPresent(a -> seen.put(deployment, a));
    return recorded;
  }

  /** Whether this engine has seen an abort of the deployment: no step of execution or verification starts. */
  boolean stopping(long deployment) {
    return seen.containsKey(deployment);
  }

  /** The engine no longer holds the deployment. */
  void forget(long deployment) {
    seen.remove(deployment);
  }

  /**
   * Runs one step of execution or verification so that an abort stops it: the thread is interrupted,
   * and the step's outcome, unless it succeeded all the same, becomes the abort's.
   */
  StepOutcome run(long deployment, String target, Step step, Supplier<StepOutcome> work) {
    Thread me = Thread.currentThread();
    synchronized (this) {
      running.computeIfAbsent(deployment, k -> new HashSet<>()).add(me);
    }
    StepOutcome outcome;
    try {
      if (stopping(deployment)) {
        synchronized (this) {
          interrupted.add(me);
        }
        Cancellation.stop(me); // seen just before this step started: it stops at once
      }
      outcome = work.get();
    } finally {
      synchronized (this) {
        Set<Thread> threads = running.get(deployment);
        threads.remove(me);
        if (threads.isEmpty()) {
          running.remove(deployment);
        }
        if (interrupted.remove(me)) {
          Cancellation.clear(me);
          Thread.interrupted(); // our interrupt, not the engine's: the records still have to be written
        }
      }
    }
    Deployments.AbortRequest abort = seen.get(deployment);
    if (abort == null || outcome instanceof StepOutcome.Succeeded) {
      return outcome;
    }
    String what = "aborted during step " + step.name() + " on " + target + " by " + abort.actor() + ": "
        + abort.reason();
    tx.executeWithoutResult(s -> deployments.record(deployment, DeploymentEvent.Kind.ABORT, target, step.name(),
        abort.actor(), what, clock.instant()));
    return new StepOutcome.Failed(what);
  }

  private synchronized void stop(long deployment) {
    for (Thread t : running.getOrDefault(deployment, Set.of())) {
      if (interrupted.add(t)) {
        Cancellation.stop(t);
      }
    }
  }

  /**
   * Ends an aborted deployment that no step runs for any more: targets waiting for a person are
   * failed with the abort's reason, and the stage's failure policy takes over: stop ends it FAILED,
   * rollback rolls the targets touched back; ask is not asked (the abort is the decision): stop.
   */
  Optional<Instant> apply(Deployment d, Plan plan, Progress progress, Deployments.AbortRequest abort) {
    String by = "aborted by " + abort.actor() + ": " + abort.reason();
    PendingWrites first = progress.writes();
    first.add(() -> {
      Instant now = clock.instant();
      for (TargetRun run : deployments.targetRuns(d.id())) {
        if (run.state() != TargetRunState.RUNNING) {
          continue;
        }
        List<StepRun> open = deployments.stepRuns(run).stream()
            .filter(s -> s.state() == StepRunState.WAITING || s.state() == StepRunState.RUNNING).toList();
        String what = open.isEmpty() ? by + " (" + run.target() + " was between steps)"
            : "aborted while step " + open.getLast().name() + " on " + run.target() + " "
                + (open.getLast().state() == StepRunState.WAITING ? "waited for a person" : "was running")
                + " by " + abort.actor() + ": " + abort.reason();
        for (StepRun s : open) {
          deployments.finishStep(s, run, StepRunState.FAILED, null, what, now);
        }
        deployments.record(d.id(), DeploymentEvent.Kind.ABORT, run.target(),
            open.isEmpty() ? null : open.getLast().name(), abort.actor(), what, now);
        deployments.transition(run, TargetRunState.FAILED, what, now);
      }
      deployments.abortApplied(d.id(), now);
    });
    if (plan.stage().failurePolicy().action() == Stage.FailurePolicy.Action.ROLLBACK) {
      progress.move(d, DeploymentState.ROLLING_BACK, by + "; rolling back to the previous version on the targets "
          + "touched", first);
    } else {
      progress.move(d, DeploymentState.FAILED, by, first);
    }
    return Optional.empty();
  }
}
