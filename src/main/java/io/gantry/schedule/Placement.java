package io.gantry.schedule;

import io.gantry.deployment.Deployment;
import io.gantry.model.WindowRules;
import io.gantry.model.WindowRules.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a deployment sits in time. For finding conflicts ({@link #of}): a finished one from its start
 * (or request) to its end; one that runs from its start to its planned end, else for the usual
 * duration and at least until now; one that waits from its planned start (or, unplanned, its
 * request) to its planned end, else the usual duration after the later of that and now. For the
 * forward schedule: {@link #recorded} for a finished one, {@link #waiting} for one not started yet.
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

  /**
   * Where the forward schedule shows a deployment: {@code start} and {@code end} null when it has
   * none (unplaced, or a finished one that never started); {@code end} null also for a finished one
   * with no end on record. {@code notes} are what holds it back or what it runs into.
   */
  record Placed(Instant start, Instant end, List<Note> notes) {

    /** Whether it falls in {@code [from, to)}; an unplaced one always does. */
    boolean in(Instant from, Instant to) {
      if (start == null) {
        return true;
      }
      Instant last = end == null ? start : end;
      return start.isBefore(to) && (end == null ? !last.isBefore(from) : last.isAfter(from));
    }
  }

  /**
   * What holds a waiting deployment back or what it runs into, listed by the schedule as a conflict of
   * kind {@code WINDOW}, {@code FREEZE}, {@code CHANGE} or {@code UNPLACED}; {@code freeze} for a freeze.
   */
  record Note(String kind, Long freeze, String message) {}

  /** A finished deployment as its record has it: from its start to its end, or no time if it never started. */
  static Placed recorded(Deployment d) {
    if (d.startedAt() == null) {
      return new Placed(null, null, List.of());
    }
    Instant end = d.finishedAt() != null && !d.finishedAt().isBefore(d.startedAt()) ? d.finishedAt() : null;
    return new Placed(d.startedAt(), end, List.of());
  }

  /**
   * A deployment not started yet: at the earliest instant at or after the later of {@code now} and its
   * planned start at which one of its stage's {@code windows} is open and none of {@code freezes}
   * holds it, for its planned end, else {@code usual}; unplaced (no start, no end) when that is not
   * before {@code horizon}. {@code stage} names the stage in the notes.
   */
  static Placed waiting(Deployment d, Instant now, Duration usual, String stage, List<WindowRules.Weekly> windows,
      List<Freeze> freezes, Instant changeStart, String changeWait, Instant horizon) {
    Instant earliest = d.plannedStart() != null && d.plannedStart().isAfter(now) ? d.plannedStart() : now;
    if (changeStart != null && changeStart.isAfter(earliest)) {
      earliest = changeStart;
    }
    List<Note> notes = new ArrayList<>();
    if (changeWait != null) {
      notes.add(new Note("CHANGE", null, changeWait));
    }
    Instant t = earliest;
    Note windowNote = null;
    WindowRules.Span open = null;
    for (int round = 0; round < 1000 && t.isBefore(horizon); round++) {
      Instant moved = t;
      open = null;
      if (!windows.isEmpty()) {
        Optional<WindowRules.Span> current = windows.stream().map(w -> w.openAt(moved)).flatMap(Optional::stream)
            .max(java.util.Comparator.comparing(WindowRules.Span::end));
        if (current.isPresent()) {
          open = current.get();
        } else {
          WindowRules.Weekly first = null;
          WindowRules.Span next = null;
          for (WindowRules.Weekly w : windows) {
            WindowRules.Span s = w.nextOpening(moved);
            if (next == null || s.start().isBefore(next.start())) {
              first = w;
              next = s;
            }
          }
          windowNote = new Note("WINDOW", null, "waits for its window " + first.describe() + " of stage " + stage
              + ", which opens at " + next.start());
          t = next.start();
          continue;
        }
      }
      Freeze holding = null;
      WindowRules.Span held = null;
      for (Freeze f : freezes) {
        Optional<WindowRules.Span> s = f.holdingAt(moved);
        if (s.isPresent() && (held == null || s.get().end().isAfter(held.end()))) {
          holding = f;
          held = s.get();
        }
      }
      if (holding != null) {
        Long id = holding.id();
        notes.removeIf(n -> id.equals(n.freeze()));
        notes.add(new Note("FREEZE", holding.id(), "is held by " + holding.label() + " (" + holding.scope()
            + ") until " + held.end() + ": " + holding.reason()));
        t = held.end();
        continue;
      }
      break;
    }
    if (!t.isBefore(horizon)) {
      if (windowNote != null) {
        notes.add(windowNote);
      }
      notes.add(new Note("UNPLACED", null, windows.isEmpty()
          ? "is not placed: nothing lets it start before the end of the period at " + horizon
          : "is not placed: no window of stage " + stage + " opens free of freezes before the end of the period at "
              + horizon));
      return new Placed(null, null, notes);
    }
    if (windowNote != null) {
      notes.addFirst(windowNote);
    }
    Instant end = d.plannedEnd() != null && d.plannedEnd().isAfter(t) ? d.plannedEnd() : t.plus(usual);
    if (open != null && end.isAfter(open.end())) {
      notes.add(new Note("WINDOW", null, "runs past its window's close at " + open.end() + " (expected to end at "
          + end + ")"));
    }
    return new Placed(t, end, notes);
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
