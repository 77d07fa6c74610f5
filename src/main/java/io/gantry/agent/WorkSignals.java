package io.gantry.agent;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Wakes those who wait on this server for the agents' work: an agent's long poll when work is queued for it or
 * it is approved, the engine's wait for a piece when its agent sends log lines or reports how it ended. A
 * wake-up only cuts a wait short: every waiter still looks in the database at least every {@link #LOOK}, which
 * is how it learns of a change made on another server, of a lease that passed or of a lost agent.
 */
@Component
class WorkSignals {

  /** The longest a waiter goes without looking in the database. */
  static final Duration LOOK = Duration.ofSeconds(1);

  /** Changes of one agent's queue or of one piece of work, counted so that none falls between look and wait. */
  static final class Signal {
    private long changes;

    /** The changes so far: take it before looking in the database, and give it to {@link #await}. */
    synchronized long seen() {
      return changes;
    }

    /** Waits until there were changes after {@code seen}, at most {@code timeout}. */
    synchronized void await(long seen, Duration timeout) throws InterruptedException {
      long until = System.nanoTime() + timeout.toNanos();
      for (long left; changes == seen && (left = until - System.nanoTime()) > 0; ) {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    private synchronized void changed() {
      changes++;
      notifyAll();
    }
  }

  private final ConcurrentHashMap<String, Signal> agents = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Signal> work = new ConcurrentHashMap<>();

  /** The signal of {@code agent}'s queue (kept while the agent is known: one per agent). */
  Signal agent(String agent) {
    return agents.computeIfAbsent(agent, a -> new Signal());
  }

  /** The signal of the piece {@code id}, until {@link #forget}. */
  Signal work(long id) {
    return work.computeIfAbsent(id, i -> new Signal());
  }

  void forget(long id) {
    work.remove(id);
  }

  /** Work was queued for {@code agent}, or its standing changed. */
  void agentChanged(String agent) {
    Signal signal = agents.get(agent);
    if (signal != null) {
      signal.changed();
    }
  }

  /** The piece {@code id} got log lines or ended. */
  void workChanged(long id) {
    Signal signal = work.get(id);
    if (signal != null) {
      signal.changed();
    }
  }
}
