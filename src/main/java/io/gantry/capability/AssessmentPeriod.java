package io.gantry.capability;

import java.time.Instant;

/** The period an assessment looks at: from {@code from} (inclusive) to {@code to} (exclusive). */
public record AssessmentPeriod(Instant from, Instant to) {

  public AssessmentPeriod {
    if (from == null || to == null || !from.isBefore(to)) {
      throw new IllegalArgumentException("an assessment period needs a start before its end");
    }
  }
}
