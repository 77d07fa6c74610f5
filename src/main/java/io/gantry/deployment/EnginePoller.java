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
 * Off with {@code gantry.engine.enabled=false}. When the server stops (SIGTERM, or its context closes), the
 * engine lets go of its work before the web server stops (so agents still reach it): it claims nothing more,
 * and waits up to {@code gantry.engine.drain} (default 30s) for the steps under way to end, each deployment then
 * due at once for another server (see {@link Engine#drain}).
 */
@Component
class EnginePoller implements org.springframework.context.SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(EnginePoller.class);

  private final Engine engine;
  private final boolean enabled;
  private final long pollMillis;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-engine");
    t.setDaemon(true);
    return t;
  });

  private final java.time.Duration drain;
  private volatile boolean running;

  EnginePoller(Engine engine, @Value("${gantry.engine.enabled:true}") boolean enabled,
      @Value("${gantry.engine.poll:250ms}") java.time.Duration poll,
      @Value("${gantry.engine.drain:30s}") java.time.Duration drain) {
    if (drain.isNegative() || drain.compareTo(java.time.Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("gantry.engine.drain must be from 0s to 1h, not " + drain);
    }
    this.engine = engine;
    this.enabled = enabled;
    this.pollMillis = poll.toMillis();
    this.drain = drain;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops before the web server's graceful shutdown (the highest phase stops first). */
  @Override
  public int getPhase() {
    return DEFAULT_PHASE;
  }

  /** The server stops: the engine lets go of its work, waiting up to the drain time for steps under way. */
  @Override
  public void stop() {
    running = false;
    loop.shutdownNow();
    if (!enabled) {
      return;
    }
    if (engine.busy()) {
      log.info("the server stops: the engine claims no more work and waits up to {} for the steps under way to end",
          drain);
    }
    if (!engine.drain(drain)) {
      log.warn("the engine's steps had not ended within {}: they were stopped, and their deployments' records say so",
          drain);
    }
  }

  @EventListener(ApplicationReadyEvent.class)
  void startPolling() {
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

}
