package io.gantry.execution;

import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;

/**
 * When a step that works on the files of a local target (install, remove, template) must be done by:
 * its declared timeout from its start, read on the engine's clock. The step looks at it between pieces
 * of work (each 64 KiB copied, each file removed, before anything is switched or replaced) and stops
 * there once it has passed.
 */
final class Deadline {

  static final Deadline NONE = new Deadline(null, null, null);

  private final Clock clock;
  private final Instant at;
  private final Step step;

  private Deadline(Clock clock, Instant at, Step step) {
    this.clock = clock;
    this.at = at;
    this.step = step;
  }

  /** The step's deadline from now, or none when it declares no timeout. */
  static Deadline of(Step step, Clock clock) {
    return step.timeout() == null ? NONE : new Deadline(clock, clock.instant().plus(step.timeout().toDuration()), step);
  }

  /** Ends the step with a reason once the deadline has passed; {@code doing} says where it stopped. */
  void check(String doing, String leftAsItWas) {
    if (at != null && clock.instant().isAfter(at)) {
      throw new StepFailure("step " + step.name() + " did not finish within its timeout of " + step.timeout().text()
          + " (stopped while " + doing + "); " + leftAsItWas);
    }
  }
}
