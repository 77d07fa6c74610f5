package io.gantry.execution;

import java.time.Duration;

/** Waits between tries and for wait steps; tests pass one that only records, so they need not sleep. */
@FunctionalInterface
public interface Sleeper {

  void sleep(Duration duration) throws InterruptedException;

  /** Sleeps the calling thread for real. */
  static Sleeper real() {
    return duration -> {
      if (!duration.isNegative() && !duration.isZero()) {
        Thread.sleep(duration);
      }
    };
  }
}
