package io.gantry.deployment;

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
 * Runs the engine in the server: looks for due deployments every {@code gantry.engine.poll}
 * (default 250ms) once the application is ready, and starts each on a free worker
 * ({@code gantry.engine.workers}, default 8), so one long deployment never holds up the others.
 * Off with {@code gantry.engine.enabled=false}.
 */
@Component
class EnginePoller {

  private static final Logger log = LoggerFactory.getLogger(EnginePoller.class);

  private final Engine engine;
  private final boolean enabled;
  private final long pollMillis;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-engine");
    t.setDaemon(true);
    return t;
  });

  EnginePoller(Engine engine, @Value("${gantry.engine.enabled:true}") boolean enabled,
      @Value("${gantry.engine.poll:250ms}") java.time.Duration poll) {
    this.engine = engine;
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
        engine.startDue();
      } catch (RuntimeException e) {
        log.error("the engine loop failed; it goes on at the next poll", e);
      }
    }, 0, pollMillis, TimeUnit.MILLISECONDS);
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
  }
}
