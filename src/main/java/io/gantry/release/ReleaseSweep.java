package io.gantry.release;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Carries every unfinished release run on at start-up and then every {@code gantry.release.sweep}
 * (default 15s): a run whose member ended while no server was there to take note of it (a crash
 * between the member's end and the run's next move) still reaches its end or its rollback.
 */
@Component
class ReleaseSweep {

  private static final Logger log = LoggerFactory.getLogger(ReleaseSweep.class);

  private final Releases releases;
  private final long sweepMillis;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-releases");
    t.setDaemon(true);
    return t;
  });

  ReleaseSweep(Releases releases, @Value("${gantry.release.sweep:15s}") java.time.Duration sweep) {
    this.releases = releases;
    this.sweepMillis = sweep.toMillis();
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    loop.scheduleWithFixedDelay(() -> {
      try {
        releases.reconcileAll();
      } catch (RuntimeException e) {
        log.error("the release sweep failed; it goes on at the next one", e);
      }
    }, 0, sweepMillis, TimeUnit.MILLISECONDS);
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
  }
}
