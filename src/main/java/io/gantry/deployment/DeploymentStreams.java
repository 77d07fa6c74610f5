package io.gantry.deployment;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Streams of deployments' records as server-sent events ({@code GET /api/v1/deployments/{id}/events/stream}):
 * each entry as soon as it is committed, then {@code end} once the deployment has reached a final state.
 *
 * <p>The engine that writes a deployment's record may run on another server of the same database, so each
 * stream reads its new entries from the database: at once when this server has just recorded something for the
 * deployment (a wake-up after the commit), and every {@code poll} otherwise. Each stream waits on a virtual
 * thread of its own; it ends after {@code max-duration} (the client reconnects with {@code Last-Event-ID}), when
 * the client goes away (noticed at the latest by the next {@code heartbeat}), when the server stops, or, checked
 * at each heartbeat, once its caller may no longer read the record (a token revoked or expired, a user disabled,
 * a role taken away): a client that connects again is then refused, saying why.
 */
@Component
class DeploymentStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(DeploymentStreams.class);

  private final Deployments deployments;
  private final Duration poll;
  private final Duration maxDuration;
  private final Duration heartbeat;
  private final Map<Long, Set<Follower>> followers = new ConcurrentHashMap<>();
  private final ExecutorService threads =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gantry-deployment-stream-", 0).factory());
  private volatile boolean running;
  /** How many streams this server keeps open at once: each reads the database every {@code poll}. */
  private final int maxOpen;

  DeploymentStreams(Deployments deployments,
      @Value("${gantry.deployments.stream.poll:250ms}") Duration poll,
      @Value("${gantry.deployments.stream.max-duration:1h}") Duration maxDuration,
      @Value("${gantry.deployments.stream.heartbeat:15s}") Duration heartbeat,
      @Value("${gantry.deployments.stream.max-open:200}") int maxOpen) {
    if (maxOpen < 1) {
      throw new IllegalArgumentException("gantry.deployments.stream.max-open must be at least 1, not " + maxOpen);
    }
    this.maxOpen = maxOpen;
    this.deployments = deployments;
    this.poll = poll;
    this.maxDuration = maxDuration;
    this.heartbeat = heartbeat;
  }

  /** What the {@code end} event says: the deployment's final state and its outcome. */
  record End(long deployment, String state, String outcome) {}

  /**
   * A stream of the entries of deployment {@code id}'s record after entry {@code after}, for as long as
   * {@code refusal} (asked at each heartbeat) answers null: why its caller may no longer read the record otherwise.
   */
  SseEmitter follow(long id, long after, java.util.function.Supplier<String> refusal) {
    if (open() >= maxOpen) {
      throw new io.gantry.shared.BusyException("this server has " + maxOpen + " deployment streams open, as many as "
          + "gantry.deployments.stream.max-open allows: try again later, or follow by GET /deployments/" + id
          + "/events?after=" + after);
    }
    // the servlet container's own limit stays above ours: the stream always ends by our hand, completed
    SseEmitter emitter = new SseEmitter(maxDuration.plusMinutes(1).toMillis());
    Follower follower = new Follower(id, after, emitter, refusal);
    emitter.onCompletion(follower::close);
    emitter.onTimeout(follower::close);
    emitter.onError(e -> follower.close());
    followers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(follower);
    try {
      threads.execute(follower::run);
    } catch (RejectedExecutionException e) {
      forget(follower);
      emitter.complete();
    }
    return emitter;
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
  void transitioned(DeploymentTransitioned moved) {
    wake(moved.after().id());
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
  void stepStarted(StepRunStarted step) {
    wake(step.deployment());
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
  void stepFinished(StepRunFinished step) {
    wake(step.deployment());
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
  void waiting(DeploymentWaiting wait) {
    wake(wait.deployment());
  }

  private void wake(long deployment) {
    Set<Follower> those = followers.get(deployment);
    if (those != null) {
      those.forEach(Follower::wake);
    }
  }

  private void forget(Follower follower) {
    followers.computeIfPresent(follower.id, (k, set) -> {
      set.remove(follower);
      return set.isEmpty() ? null : set;
    });
  }

  /** How many streams are open now (for tests: a client that went away frees its stream). */
  int open() {
    return followers.values().stream().mapToInt(Set::size).sum();
  }

  @Override
  public void start() {
    running = true;
  }

  /** Ends every stream before the web server waits for its requests to finish: clients reconnect elsewhere. */
  @Override
  public void stop() {
    running = false;
    followers.values().forEach(set -> set.forEach(f -> {
      f.close();
      f.emitter.complete();
    }));
    threads.shutdown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** One client following one deployment, on its own virtual thread. */
  private final class Follower {

    final long id;
    final SseEmitter emitter;
    private final java.util.function.Supplier<String> refusal;
    private long after;
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean closed;

    Follower(long id, long after, SseEmitter emitter, java.util.function.Supplier<String> refusal) {
      this.id = id;
      this.after = after;
      this.emitter = emitter;
      this.refusal = refusal;
    }

    void wake() {
      if (wakeUp.availablePermits() == 0) {
        wakeUp.release();
      }
    }

    void close() {
      closed = true;
      wake();
    }

    void run() {
      try {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        long nextHeartbeat = System.nanoTime() + heartbeat.toNanos();
        boolean ended = deployments.get(id).state().isFinal();
        while (!closed) {
          try {
            ended |= sendNew();
            if (ended) {
              // the final move and what was written with it are committed: send the rest and say how it ended
              Deployment d = deployments.get(id);
              sendNew();
              emitter.send(SseEmitter.event().name("end")
                  .data(new End(id, d.state().name(), d.outcome()), MediaType.APPLICATION_JSON));
              emitter.complete();
              return;
            }
          } catch (DataAccessException e) {
            // the database does not answer now (a restart, a failover): try again at the next look
            log.debug("deployment #{} stream: {}", id, e.getMessage());
          }
          if (System.nanoTime() - deadline >= 0) {
            emitter.complete();
            return;
          }
          if (System.nanoTime() - nextHeartbeat >= 0) {
            String refused = refused();
            if (refused != null) {
              // the client connects again with Last-Event-ID, and that request is refused with the reason
              log.info("deployment #{} stream ended: {}", id, refused);
              emitter.complete();
              return;
            }
            // a comment line: keeps proxies from closing a quiet stream, and finds a client that went away
            emitter.send(SseEmitter.event().comment(""));
            nextHeartbeat = System.nanoTime() + heartbeat.toNanos();
          }
          wakeUp.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS);
          wakeUp.drainPermits();
        }
      } catch (IOException | IllegalStateException e) {
        // the client went away, or the stream was completed meanwhile
        log.debug("deployment #{} stream closed: {}", id, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        emitter.complete();
      } catch (RuntimeException e) {
        log.warn("deployment #{} stream ended: {}", id, e.toString());
        emitter.complete();
      } finally {
        forget(this);
      }
    }

    /** Why the caller may no longer read the record; null while it may, or while the database does not answer. */
    private String refused() {
      try {
        return refusal.get();
      } catch (DataAccessException e) {
        log.debug("deployment #{} stream: the caller's rights not checked now: {}", id, e.getMessage());
        return null;
      }
    }

    /** Sends the entries after the last one sent; answers whether one of them is the move to a final state. */
    private boolean sendNew() throws IOException {
      List<DeploymentEvent> entries = deployments.events(id, after);
      boolean ended = false;
      for (DeploymentEvent e : entries) {
        emitter.send(SseEmitter.event().id(String.valueOf(e.id()))
            .data(DeploymentController.EventView.of(e), MediaType.APPLICATION_JSON));
        after = e.id();
        ended |= e.kind() == DeploymentEvent.Kind.TRANSITION && e.to() != null && e.to().isFinal();
      }
      return ended;
    }
  }
}
