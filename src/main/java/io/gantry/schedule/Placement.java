package io.gantry.schedule;

import io.gantry.deployment.Deployment;
import io.gantry.model.WindowRules.Span;
import java.time.Duration;
import java.time.Instant;

/**
 * Where a deployment sits in time: a finished one from its start (or request) to its end; one that
 * runs from its start to its planned end, else for the usual duration and at least until now; one
 * that waits from its planned start (or, unplanned, its request) to its planned end, else the usual
 * duration after the later of that and now.
 */
final class Placement {

  private Placement() {}

  static Span of(Deployment d, Instant now, Duration usual) {
    if (d.state().isFinal()) {
      Instant start = d.startedAt() != null ? d.startedAt() : d.requestedAt();
      return span(start, d.finishedAt() == null ? start : d.finishedAt());
    }
    if (d.startedAt() != null) {
      Instant end = d.plannedEnd() != null && d.plannedEnd().isAfter(d.startedAt()) ? d.plannedEnd()
          : later(d.startedAt().plus(usual), now);
      return span(d.startedAt(), end);
    }
    Instant start = d.plannedStart() != null ? d.plannedStart() : d.requestedAt();
    Instant end = d.plannedEnd() != null && d.plannedEnd().isAfter(start) ? d.plannedEnd()
        : later(start, now).plus(usual);
    return span(start, end);
  }

  /** The span of a deployment about to start now. */
  static Span starting(Deployment d, Instant now, Duration usual) {
    return span(now, d.plannedEnd() != null && d.plannedEnd().isAfter(now) ? d.plannedEnd() : now.plus(usual));
  }

  /** Whether the deployment has a planned start. */
  static boolean planned(Deployment d) {
    return d.plannedStart() != null;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Span span(Instant start, Instant end) {
    return new Span(start, end.isAfter(start) ? end : start.plusSeconds(1));
  }
}
