package io.gantry.deployment;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How every activity of the lifecycle moves a deployment on, ends it, or has it wait. The activities
 * answer when to look at the deployment again: empty to go on at once, else the time of the next look.
 */
final class Progress {

  private static final Logger log = LoggerFactory.getLogger(Progress.class);

  private final Deployments deployments;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration waitRecheck;
  private final Supplier<List<DeploymentGate>> gates;
  private final TargetLocks locks;

  Progress(Deployments deployments, TransactionTemplate tx, Clock clock, Duration waitRecheck,
      Supplier<List<DeploymentGate>> gates, TargetLocks locks) {
    this.locks = locks;
    this.deployments = deployments;
    this.tx = tx;
    this.clock = clock;
    this.waitRecheck = waitRecheck;
    this.gates = gates;
  }

  /** Writes to hold back for the next commit. */
  PendingWrites writes() {
    return new PendingWrites(tx);
  }

  void move(Deployment d, DeploymentState to, String message) {
    move(d, to, message, writes());
  }

  /** Moves the deployment through {@code via} to {@code to}, both written in one commit. */
  void move(Deployment d, DeploymentState via, String viaMessage, DeploymentState to, String message) {
    PendingWrites first = writes();
    first.add(() -> deployments.transition(deployments.get(d.id()), via, "gantry", viaMessage, clock.instant()));
    move(d, to, message, first);
  }

  /** Moves the deployment, writing {@code first} (records still pending) in the same commit. */
  void move(Deployment d, DeploymentState to, String message, PendingWrites first) {
    Deployment moved = first.writeWith(() -> {
      Deployment after = deployments.transition(deployments.get(d.id()), to, "gantry", message, clock.instant());
      if (to.isFinal()) {
        // those waiting to start in this environment (the next in its queue, one that requires this
        // component) need not wait for their next look
        deployments.wakeWaiting(after.environment(), clock.instant());
        locks.releaseAll(d.id(), clock.instant()); // and those waiting for a target it held
      }
      return after;
    });
    if (to.isFinal()) {
      finished(gates.get(), moved, clock.instant());
    }
  }

  /** Tells every gate that a deployment has ended; a gate's trouble is logged, never undoes the end. */
  static void finished(List<DeploymentGate> gates, Deployment d, Instant now) {
    for (DeploymentGate gate : gates) {
      try {
        gate.finished(d, now);
      } catch (RuntimeException e) {
        log.error("{} could not take note that deployment {} ended", gate.getClass().getSimpleName(), d.id(), e);
      }
    }
  }

  Optional<Instant> fail(Deployment d, String reason) {
    move(d, DeploymentState.FAILED, reason);
    return Optional.empty();
  }

  /**
   * Records a wait once (not again while it lasts) and asks to look again later: at {@code lookAgainAt}
   * when given and sooner than the usual interval would, else after the usual interval.
   */
  Optional<Instant> waitFor(Deployment d, DeploymentEvent.WaitKind kind, String what, Instant lookAgainAt) {
    List<DeploymentEvent> events = deployments.events(d.id(), 0);
    DeploymentEvent lastWait = events.stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT)
        .reduce((a, b) -> b).orElse(null);
    boolean sameWait = lastWait != null && lastWait.message().equals("waiting for " + what)
        && events.getLast().id() == lastWait.id();
    if (!sameWait) {
      tx.executeWithoutResult(s -> deployments.recordWait(d.id(), kind, "waiting for " + what, clock.instant()));
    }
    Instant now = clock.instant();
    Instant usual = now.plus(waitRecheck);
    if (lookAgainAt == null) {
      return Optional.of(usual);
    }
    if (kind == DeploymentEvent.WaitKind.SCHEDULE) {
      return Optional.of(lookAgainAt); // nothing but the time can end this wait
    }
    return Optional.of(lookAgainAt.isBefore(now) ? now : lookAgainAt.isBefore(usual) ? lookAgainAt : usual);
  }

  /**
   * Waits for what stopped the steps of a target: a person to do or approve one, or the time to try a
   * failed one again (looked at again then, if sooner than the usual interval).
   */
  Optional<Instant> waitFor(Deployment d, StepResult stopped) {
    return waitFor(d, stopped.waitKind(), stopped.waitFor(), stopped.lookAgainAt());
  }
}
