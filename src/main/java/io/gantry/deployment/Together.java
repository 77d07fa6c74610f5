package io.gantry.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Waits for the per-target work of one deployment (a batch's targets, the targets of a check or of an
 * analysis round): every target's work has ended before the answer, so that no claim is released, nor
 * the deployment moved on, while a step still runs on one of them.
 */
final class Together {

  private Together() {}

  /** The work done for one item (a target's run, a target to look at). */
  @FunctionalInterface
  interface Work<I, T> {
    T on(I item) throws Exception;
  }

  /**
   * Does {@code work} for each of {@code items} on {@code workers}, at most {@code maxParallel} at once (all of them
   * when it is null, as a stage's strategy without it), and answers as {@link #all} does.
   */
  static <I, T> List<T> each(ExecutorService workers, Integer maxParallel, List<I> items, Work<I, T> work,
      String failure) {
    Semaphore permits = new Semaphore(maxParallel == null ? Math.max(1, items.size()) : maxParallel);
    List<Future<T>> results = new ArrayList<>();
    for (I item : items) {
      results.add(workers.submit(() -> {
        permits.acquire();
        try {
          return work.on(item);
        } finally {
          permits.release();
        }
      }));
    }
    return all(results, failure);
  }

  /**
   * The results of every piece of work, in order, once all have ended. If one threw, what it threw
   * after all have ended: a {@link LeaseLost} before anything else, else {@code failure} with the
   * first cause.
   */
  static <T> List<T> all(List<Future<T>> work, String failure) {
    List<T> results = new ArrayList<>();
    LeaseLost lost = null;
    Throwable first = null;
    boolean interrupted = false;
    for (Future<T> f : work) {
      while (true) {
        try {
          results.add(f.get());
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the targets' work goes on, so it is waited for all the same
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof LeaseLost l && lost == null) {
            lost = l;
          } else if (first == null) {
            first = cause;
          }
          results.add(null);
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (lost != null) {
      throw lost;
    }
    if (first != null) {
      throw new IllegalStateException(failure, first);
    }
    return results;
  }
}
