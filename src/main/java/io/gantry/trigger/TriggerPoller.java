package io.gantry.trigger;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.model.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Sweeps for trigger causes at start-up (so schedule firings missed while no server ran fire once)
 * and then every {@code gantry.triggers.poll} (default 5s). A deployment that succeeded nudges a sweep
 * at once, so a stage-succeeded trigger does not wait for the next poll; it passes every deployment
 * otherwise (it is a gate only to hear of their ends).
 */
@Component
class TriggerPoller implements DeploymentGate {

  private static final Logger log = LoggerFactory.getLogger(TriggerPoller.class);

  private final TriggerSweep sweep;
  private final long pollMillis;
  private final AtomicBoolean nudged = new AtomicBoolean();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-triggers");
    t.setDaemon(true);
    return t;
  });

  TriggerPoller(TriggerSweep sweep, @Value("${gantry.triggers.poll:5s}") Duration poll) {
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("gantry.triggers.poll must be positive, not " + poll);
    }
    this.sweep = sweep;
    this.pollMillis = poll.toMillis();
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    loop.scheduleWithFixedDelay(this::sweepOnce, 0, pollMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public Verdict check(Deployment deployment, Stage stage, Instant now) {
    return Verdict.PASS;
  }

  @Override
  public void finished(Deployment deployment, Instant now) {
    if (deployment.state() != DeploymentState.SUCCEEDED || deployment.kind() != Deployment.Kind.DEPLOY) {
      return;
    }
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          nudge();
        }
      });
    } else {
      nudge();
    }
  }

  /** One extra sweep soon; nudges that come while one is pending add nothing. */
  private void nudge() {
    if (nudged.compareAndSet(false, true) && !loop.isShutdown()) {
      loop.execute(() -> {
        nudged.set(false);
        sweepOnce();
      });
    }
  }

  private void sweepOnce() {
    try {
      sweep.sweep();
    } catch (RuntimeException e) {
      log.error("the trigger sweep failed; it goes on at the next one", e);
    }
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
  }
}
