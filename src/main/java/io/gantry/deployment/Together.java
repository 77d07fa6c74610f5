package io.gantry.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waits for the per-target work of one deployment (a batch's targets, the targets of a check or of an
 * analysis round): every target's work has ended before the answer, so that no claim is released, nor
 * the deployment moved on, while a step still runs on one of them.
 */
final class Together {

  private Together() {}

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
