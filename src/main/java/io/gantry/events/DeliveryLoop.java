package io.gantry.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Plans and sends deliveries, on threads of its own: every {@code gantry.events.poll} (250ms) it fans out the events
 * written since (each {@link Fanout} says where one goes), then sends the due deliveries, at most
 * {@code gantry.events.senders} (8) at once. A failed send is tried again after {@code initial-backoff} (2s), doubling
 * up to {@code max-backoff} (10m), with up to a fifth more at random so that many failed deliveries do not come back
 * at the same instant; after {@code max-attempts} (10) the delivery is dead until a person queues it again.
 * Off with {@code gantry.events.delivery.enabled=false} (events are still written and fanned out by a server that
 * has it on). While the engine has deployments in hand, deliveries are claimed at most {@code gantry.events.busy-rate}
 * (50) a second, so that on a small machine sending events does not slow the steps down; at full speed otherwise.
 * Events whose deliveries were all made are forgotten after {@code gantry.events.retention} (30d; the
 * deployments' own records are kept for good); pending and dead ones are kept until they are delivered.
 */
@Component
class DeliveryLoop {

  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);

  private final Deliveries deliveries;
  private final List<Fanout> fanouts;
  private final Map<String, Sink> sinks;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final boolean enabled;
  private final Duration poll;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int maxAttempts;
  private final Duration lease;
  private final Duration retention;
  /** Whether the engine has deployments in hand: deliveries then go at most {@link #busyRate} a second. */
  private final java.util.function.BooleanSupplier engineBusy;
  private final int busyRate;
  private double busyAllowance;
  private long busyRefilledAt = System.nanoTime();
  private volatile long prunedAt;
  private final Semaphore senders;
  /** Deliveries claimed and not yet recorded, at most {@link #batch}. */
  private final Semaphore slots;
  /** Outcomes of attempts not yet recorded; recorded together by one sender at a time (see {@link #record}). */
  private final java.util.concurrent.ConcurrentLinkedQueue<Deliveries.Outcome> outcomes =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.locks.ReentrantLock recording = new java.util.concurrent.locks.ReentrantLock();
  private final int batch;
  private final String owner = "events-" + UUID.randomUUID().toString().substring(0, 8);
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-events");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService sending = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("gantry-delivery-", 0).factory());

  @org.springframework.beans.factory.annotation.Autowired
  DeliveryLoop(Deliveries deliveries, List<Fanout> fanouts, List<Sink> sinks, TransactionTemplate tx, Clock clock,
      org.springframework.beans.factory.ObjectProvider<io.gantry.deployment.Engine> engine,
      @Value("${gantry.events.delivery.enabled:true}") boolean enabled,
      @Value("${gantry.events.poll:250ms}") Duration poll,
      @Value("${gantry.events.delivery.initial-backoff:2s}") Duration initialBackoff,
      @Value("${gantry.events.delivery.max-backoff:10m}") Duration maxBackoff,
      @Value("${gantry.events.delivery.max-attempts:10}") int maxAttempts,
      @Value("${gantry.events.delivery.lease:2m}") Duration lease,
      @Value("${gantry.events.senders:8}") int senders,
      @Value("${gantry.events.retention:30d}") Duration retention,
      @Value("${gantry.events.busy-rate:50}") int busyRate) {
    this(deliveries, fanouts, sinks, tx, clock, enabled, poll, initialBackoff, maxBackoff, maxAttempts, lease, senders,
        retention, () -> {
          io.gantry.deployment.Engine e = engine.getIfAvailable();
          return e != null && e.busy();
        }, busyRate);
  }

  DeliveryLoop(Deliveries deliveries, List<Fanout> fanouts, List<Sink> sinks, TransactionTemplate tx, Clock clock,
      boolean enabled, Duration poll, Duration initialBackoff, Duration maxBackoff, int maxAttempts, Duration lease,
      int senders, Duration retention) {
    this(deliveries, fanouts, sinks, tx, clock, enabled, poll, initialBackoff, maxBackoff, maxAttempts, lease, senders,
        retention, () -> false, 1);
  }

  DeliveryLoop(Deliveries deliveries, List<Fanout> fanouts, List<Sink> sinks, TransactionTemplate tx, Clock clock,
      @Value("${gantry.events.delivery.enabled:true}") boolean enabled,
      @Value("${gantry.events.poll:250ms}") Duration poll,
      @Value("${gantry.events.delivery.initial-backoff:2s}") Duration initialBackoff,
      @Value("${gantry.events.delivery.max-backoff:10m}") Duration maxBackoff,
      @Value("${gantry.events.delivery.max-attempts:10}") int maxAttempts,
      @Value("${gantry.events.delivery.lease:2m}") Duration lease,
      @Value("${gantry.events.senders:8}") int senders,
      @Value("${gantry.events.retention:30d}") Duration retention, java.util.function.BooleanSupplier engineBusy,
      int busyRate) {
    if (busyRate < 1) {
      throw new IllegalArgumentException("gantry.events.busy-rate must be at least 1 delivery a second");
    }
    if (maxAttempts < 1 || senders < 1 || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("gantry.events: max-attempts and senders must be at least 1, and "
          + "max-backoff at least initial-backoff");
    }
    this.deliveries = deliveries;
    this.fanouts = List.copyOf(fanouts);
    this.sinks = sinks.stream().collect(Collectors.toMap(Sink::channel, Function.identity()));
    this.tx = tx;
    this.clock = clock;
    this.enabled = enabled;
    this.poll = poll;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxAttempts = maxAttempts;
    this.lease = lease;
    this.batch = Math.max(2, senders * 8);
    this.slots = new Semaphore(batch);
    this.retention = retention;
    this.senders = new Semaphore(senders);
    this.engineBusy = engineBusy;
    this.busyRate = busyRate;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    if (!enabled) {
      return;
    }
    loop.scheduleWithFixedDelay(() -> {
      try {
        // on at once while there is work: a poll's wait only when there was none
        while (fanOut() + send() > 0) {
          // more
        }
        if (System.nanoTime() - prunedAt > PRUNE_EVERY.toNanos()) {
          prunedAt = System.nanoTime();
          prune();
        }
      } catch (RuntimeException e) {
        log.error("the event delivery loop failed; it goes on at the next poll", e);
      }
    }, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
    sending.shutdownNow();
  }

  private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

  /** Forgets the events older than the retention whose deliveries were all made; returns how many. */
  int prune() {
    Instant before = clock.instant().minus(retention);
    int total = 0;
    int n;
    do {
      n = tx.execute(status -> deliveries.prune(before, 1000));
      total += n;
    } while (n == 1000);
    return total;
  }

  /** Plans the deliveries of up to 500 events not yet fanned out; returns how many were. */
  int fanOut() {
    Integer done = tx.execute(status -> {
      List<StoredEvent> events = deliveries.toFanOut(500);
      Instant now = clock.instant();
      Map<StoredEvent, List<Destination>> planned = new java.util.LinkedHashMap<>();
      for (StoredEvent event : events) {
        List<Destination> destinations = new ArrayList<>();
        for (Fanout fanout : fanouts) {
          try {
            destinations.addAll(fanout.destinations(event));
          } catch (RuntimeException e) {
            log.error("{} could not say where event {} ({}) goes; it is not sent there", fanout.getClass().getSimpleName(),
                event.eventId(), event.type(), e);
          }
        }
        planned.put(event, destinations);
      }
      deliveries.plan(planned, now);
      return events.size();
    });
    return done == null ? 0 : done;
  }

  /**
   * Claims due deliveries in batches (up to eight per sender, at least half of that once the senders are busy, so
   * that a claim's transaction is shared by many deliveries) and hands them to the senders; returns how many it
   * took. A claimed delivery whose lease ran out before a sender took it is left to whoever claims it next.
   */
  int send() {
    slots.acquireUninterruptibly(batch / 2); // room for at least half a batch
    int room = batch / 2 + slots.drainPermits();
    int allowed = allowance();
    int free = Math.min(room, allowed);
    slots.release(room - free);
    if (free == 0) {
      return 0;
    }
    Instant now = clock.instant();
    List<Deliveries.Claimed> claimed;
    try {
      claimed = tx.execute(status -> deliveries.claim(owner, now, now.plus(lease), free));
    } catch (RuntimeException e) {
      slots.release(free);
      throw e;
    }
    int taken = claimed == null ? 0 : claimed.size();
    slots.release(free - taken);
    spend(taken);
    Instant leaseEnds = now.plus(lease);
    for (int i = 0; i < taken; i++) {
      Deliveries.Claimed c = claimed.get(i);
      sending.submit(() -> {
        senders.acquireUninterruptibly();
        boolean sent = false;
        try {
          if (clock.instant().isBefore(leaseEnds)) {
            sendOne(c);
            sent = true;
          }
        } catch (RuntimeException e) {
          log.error("delivery {} failed in Gantry; it is sent again when its lease runs out", c.delivery(), e);
        } finally {
          senders.release();
          if (!sent) {
            slots.release(); // a recorded outcome gives back its slot when it is recorded
          }
        }
      });
    }
    return taken;
  }

  /**
   * How many deliveries may be claimed now: any number while the engine is idle; while it has deployments in hand,
   * what {@code gantry.events.busy-rate} a second allows (the engine comes first: deliveries may wait, its steps
   * should not), so that events still flow at that rate under a constant load.
   */
  private int allowance() {
    long now = System.nanoTime();
    busyAllowance = Math.min(busyRate, busyAllowance + (now - busyRefilledAt) / 1e9 * busyRate);
    busyRefilledAt = now;
    return engineBusy.getAsBoolean() ? (int) busyAllowance : Integer.MAX_VALUE;
  }

  private void spend(int work) {
    busyAllowance = Math.max(0, busyAllowance - work);
  }

  /** Sends every delivery due now and waits until they are recorded (for tests and the benchmark). */
  void drain() {
    while (fanOut() > 0) {
      // all of them
    }
    while (send() > 0) {
      // until none is due (or every due one is held by another server)
    }
    slots.acquireUninterruptibly(batch);
    slots.release(batch);
  }

  private void sendOne(Deliveries.Claimed c) {
    Sink sink = sinks.get(c.destination().channel());
    long start = System.nanoTime();
    String note;
    try {
      if (sink == null) {
        throw new DeliveryFailure("no sink sends over channel " + c.destination().channel(), false);
      }
      note = sink.send(c.event(), c.destination());
    } catch (Exception e) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      boolean retryable = !(e instanceof DeliveryFailure f) || f.retryable();
      int attempt = c.attemptsBefore() + 1;
      Instant at = clock.instant();
      Instant next = retryable && attempt < maxAttempts ? at.plus(backoff(attempt)) : null;
      String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (next == null) {
        log.warn("event {} ({}) to {} {} is dead after {} attempt(s): {}", c.event().eventId(), c.event().type(),
            c.destination().channel(), c.destination().address(), attempt, error);
      }
      record(new Deliveries.Outcome(c, at, millis, false, error, next));
      return;
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    record(new Deliveries.Outcome(c, clock.instant(), millis, true, note, null));
  }

  /**
   * Records an attempt's outcome together with those of the senders that finished meanwhile: whichever sender finds
   * no recording under way records all that are queued, in one transaction, and goes on while more came in; a
   * sender that finds one under way leaves its outcome to it (which looks again before it stops). A claimed
   * delivery's slot is given back once its outcome is recorded (or could not be: it is then sent again when its
   * lease runs out).
   */
  private void record(Deliveries.Outcome outcome) {
    outcomes.add(outcome);
    while (!outcomes.isEmpty() && recording.tryLock()) {
      List<Deliveries.Outcome> taken = new ArrayList<>();
      try {
        for (Deliveries.Outcome o; taken.size() < batch && (o = outcomes.poll()) != null; ) {
          taken.add(o);
        }
        List<Long> lost = tx.execute(s -> deliveries.record(taken, owner));
        for (Long delivery : lost == null ? List.<Long>of() : lost) {
          log.warn("delivery {} was sent after its lease ran out; another server may send it again", delivery);
        }
      } catch (RuntimeException e) {
        log.error("the outcomes of {} deliveries could not be recorded; they are sent again when their lease runs "
            + "out", taken.size(), e);
      } finally {
        recording.unlock();
        slots.release(taken.size());
      }
    }
  }

  /** The wait before attempt {@code attempt + 1}: doubling from the initial backoff, capped, plus up to a fifth. */
  Duration backoff(int attempt) {
    long base = initialBackoff.toMillis();
    long capped = Math.min(maxBackoff.toMillis(), base << Math.min(attempt - 1, 30));
    return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 5 + 1));
  }
}
