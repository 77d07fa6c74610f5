package io.gantry.deployment;

import io.gantry.execution.Cancellation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One engine worker's claim of one deployment: its owner name, its fencing token and what runs under
 * it. Bound to the worker's thread while it advances the deployment, and inherited by the threads it
 * starts for the deployment's targets (new threads, never pooled ones), so that every write of
 * {@link Deployments} for that deployment checks the token ({@link Deployments#fence}). When the lease
 * is lost, the steps running under it are stopped as an abort stops them (the thread is interrupted:
 * a local process tree is killed, an SSH command's remote session closed, an agent's work failed on
 * the server so its report is no longer accepted).
 */
final class Lease {

  private static final InheritableThreadLocal<Lease> CURRENT = new InheritableThreadLocal<>();

  private final long deployment;
  private final String owner;
  private final long token;
  private final long nanos;
  /** When, by this node's monotonic clock, the database last confirmed the lease (claim or extension). */
  private volatile long confirmedAt;
  private volatile String lost;
  private volatile boolean ended;
  /** The threads running a step under this lease, with what they run; guarded by this. */
  private final Map<Thread, String> running = new LinkedHashMap<>();
  /** The steps stopped because the lease was lost; guarded by this. */
  private final List<String> stopped = new ArrayList<>();

  Lease(long deployment, String owner, long token, Duration length, long claimedAt) {
    this.deployment = deployment;
    this.owner = owner;
    this.token = token;
    this.nanos = length.toNanos();
    this.confirmedAt = claimedAt;
  }

  long deployment() {
    return deployment;
  }

  String owner() {
    return owner;
  }

  long token() {
    return token;
  }

  /** The lease bound to this thread if it is for {@code deployment} and still in force for its writes. */
  static Lease bound(long deployment) {
    Lease lease = CURRENT.get();
    return lease == null || lease.ended || lease.deployment != deployment ? null : lease;
  }

  /** Runs {@code work} with this lease bound to the thread (and to the threads it starts). */
  void bind(Runnable work) {
    Lease before = CURRENT.get();
    CURRENT.set(this);
    try {
      work.run();
    } finally {
      CURRENT.set(before);
    }
  }

  /** Runs {@code work} with no lease bound: writes that are not the claim's (the record of its loss). */
  static void unbound(Runnable work) {
    Lease before = CURRENT.get();
    CURRENT.remove();
    try {
      work.run();
    } finally {
      CURRENT.set(before);
    }
  }

  /** The worker is done with the deployment: a thread it left behind no longer writes under this claim. */
  void end() {
    ended = true;
  }

  /** The database extended the lease at {@code at} (this node's monotonic clock, {@link System#nanoTime}). */
  void confirmed(long at) {
    confirmedAt = Math.max(confirmedAt, at);
  }

  /** Whether the lease's length has passed, by this node's monotonic clock, since the database last confirmed it. */
  boolean runOut(long now) {
    return now - confirmedAt > nanos;
  }

  boolean lost() {
    return lost != null;
  }

  /** Throws {@link LeaseLost} if the lease is known lost. */
  void check() {
    String why = lost;
    if (why != null) {
      throw new LeaseLost(deployment, why);
    }
  }

  /**
   * Marks the lease lost (once) and stops every step running under it. Answers whether this call marked it.
   */
  boolean lose(String why) {
    synchronized (this) {
      if (lost != null) {
        return false;
      }
      lost = "the engine worker " + owner + " lost its lease on deployment #" + deployment + " (claim " + token
          + "): " + why;
      for (Map.Entry<Thread, String> step : running.entrySet()) {
        stopped.add(step.getValue());
        Cancellation.stop(step.getKey());
      }
    }
    return true;
  }

  /** Why the lease was lost, or null. */
  String why() {
    return lost;
  }

  /** The steps stopped because the lease was lost, as "step X on target". */
  synchronized List<String> stopped() {
    return List.copyOf(stopped);
  }

  /**
   * Runs one step under this lease: if the lease is lost while it runs, its thread is stopped, and
   * {@link LeaseLost} is thrown instead of an outcome, which nobody may record any more.
   */
  <T> T run(String target, String step, Supplier<T> work) {
    Thread me = Thread.currentThread();
    synchronized (this) {
      check();
      running.put(me, "step " + step + " on " + target);
    }
    T outcome;
    try {
      outcome = work.get();
    } finally {
      synchronized (this) {
        running.remove(me);
        if (lost != null) {
          Cancellation.clear(me);
          Thread.interrupted(); // the stop was ours: the thread goes on to end its work on the deployment
        }
      }
    }
    check();
    return outcome;
  }
}
