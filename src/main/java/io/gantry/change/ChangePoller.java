package io.gantry.change;

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
 * Runs the time-driven work of changes in the server every {@code gantry.change.poll} (default 15s):
 * approval requests that expire, and external changes whose poll is due. Off with
 * {@code gantry.change.poller.enabled=false} (tests drive {@link Changes#expireOverdue} and
 * {@link ItsmPolling#pollDue} themselves).
 */
@Component
class ChangePoller {

  private static final Logger log = LoggerFactory.getLogger(ChangePoller.class);

  private final Changes changes;
  private final ItsmPolling itsm;
  private final boolean enabled;
  private final long pollMillis;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-changes");
    t.setDaemon(true);
    return t;
  });

  ChangePoller(Changes changes, ItsmPolling itsm, @Value("${gantry.change.poller.enabled:true}") boolean enabled,
      @Value("${gantry.change.poll:15s}") java.time.Duration poll) {
    this.changes = changes;
    this.itsm = itsm;
    this.enabled = enabled;
    this.pollMillis = poll.toMillis();
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    if (!enabled) {
      return;
    }
    loop.scheduleWithFixedDelay(() -> {
      try {
        changes.expireOverdue();
        itsm.pollDue();
      } catch (RuntimeException e) {
        log.error("the change poll failed; it goes on at the next one", e);
      }
    }, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
  }
}
