package io.gantry.metrics;

import io.gantry.deployment.DeploymentTransitioned;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Writes a deployment's facts for the period reports as soon as it ends, so that no report pays for the
 * deployments that ended since the one before. On a thread of its own, after the commit of the final move:
 * the engine's transaction neither waits for it nor fails with it. A write lost to a stop or an error is
 * made by the next report that covers the deployment.
 */
@Component
class FactsWhenDeploymentsEnd {

  private static final Logger log = LoggerFactory.getLogger(FactsWhenDeploymentsEnd.class);

  private final DeploymentFacts facts;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("gantry-metrics-facts").factory());

  FactsWhenDeploymentsEnd(DeploymentFacts facts) {
    this.facts = facts;
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
  void ended(DeploymentTransitioned moved) {
    if (!moved.after().state().isFinal()) {
      return;
    }
    long id = moved.after().id();
    try {
      writer.execute(() -> {
        try {
          facts.writeEnded(id);
        } catch (RuntimeException e) {
          log.warn("Metrics: the facts of deployment #{} were not written as it ended ({}); the next report that "
              + "covers it writes them", id, e.getMessage());
        }
      });
    } catch (RejectedExecutionException e) {
      // the server is stopping: the next report writes them
    }
  }

  @PreDestroy
  void stop() throws InterruptedException {
    writer.shutdown();
    writer.awaitTermination(10, TimeUnit.SECONDS);
  }
}
