package io.gantry.model;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Weekly recurring time spans (a stage's allowed windows, a weekly freeze): days of the week and a
 * start and end time of day in an IANA time zone. An end before the start runs past midnight into the
 * next day; the day named is the day the span opens.
 *
 * <p>Spans follow the wall clock of their zone. On the night the clocks go forward a span is shorter
 * by the hour skipped (a start or end inside the skipped hour is the moment the clocks jump); on the
 * night they go back it is longer by the hour repeated (a start inside the repeated hour opens at its
 * first occurrence, an end inside it closes at its second).
 */
public final class WindowRules {

  private static final Pattern TIME = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  /** Windows in different zones are compared over these dates, which hold both hemispheres' clock changes. */
  private static final LocalDate OVERLAP_FROM = LocalDate.of(2026, 1, 1);
  private static final LocalDate OVERLAP_TO = LocalDate.of(2027, 1, 8);

  private WindowRules() {}

  /** A half-open span of time {@code [start, end)}. */
  public record Span(Instant start, Instant end) {

    public Span {
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException("a span must end after it starts: " + start + " .. " + end);
      }
    }

    public boolean contains(Instant t) {
      return !t.isBefore(start) && t.isBefore(end);
    }

    public boolean overlaps(Span other) {
      return start.isBefore(other.end) && other.start.isBefore(end);
    }
  }

  /** A weekly recurring span, valid by construction. */
  public record Weekly(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {

    public Weekly {
      if (days.isEmpty()) {
        throw new IllegalArgumentException("name at least one day");
      }
      if (start.equals(end)) {
        throw new IllegalArgumentException("start and end are both " + start + ": a window must not start and end "
            + "at the same time");
      }
      days = Set.copyOf(EnumSet.copyOf(days));
    }

    public boolean crossesMidnight() {
      return end.isBefore(start);
    }

    /** Every occurrence that overlaps {@code [from, to)}, in order. */
    public List<Span> occurrences(Instant from, Instant to) {
      List<Span> out = new ArrayList<>();
      LocalDate first = LocalDate.ofInstant(from, zone).minusDays(1);
      LocalDate last = LocalDate.ofInstant(to, zone).plusDays(1);
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        if (!days.contains(day.getDayOfWeek())) {
          continue;
        }
        Span span = occurrence(day);
        if (span != null && span.start().isBefore(to) && span.end().isAfter(from)) {
          out.add(span);
        }
      }
      return out;
    }

    /** The occurrence opening on the given local date, or null when the clocks swallowed it whole. */
    Span occurrence(LocalDate day) {
      Instant open = opening(LocalDateTime.of(day, start), zone);
      Instant close = closing(LocalDateTime.of(crossesMidnight() ? day.plusDays(1) : day, end), zone);
      return close.isAfter(open) ? new Span(open, close) : null;
    }

    /** The occurrence open at {@code t}, if any. */
    public Optional<Span> openAt(Instant t) {
      return occurrences(t, t.plusSeconds(1)).stream().filter(s -> s.contains(t)).findFirst();
    }

    /** The first occurrence that opens at or after {@code t}. */
    public Span nextOpening(Instant t) {
      return occurrences(t, t.plus(Duration.ofDays(9))).stream().filter(s -> !s.start().isBefore(t)).findFirst()
          .orElseThrow(() -> new IllegalStateException("no opening of " + this + " within 9 days of " + t));
    }

    /** The occurrence open at {@code t}, else the next one to open. */
    public Span currentOrNext(Instant t) {
      return openAt(t).orElseGet(() -> nextOpening(t));
    }

    /** How it is written: {@code tue,wed 20:00-23:00 Europe/London}. */
    public String describe() {
      return days.stream().sorted().map(d -> DAYS.get(d.getValue() - 1)).collect(Collectors.joining(","))
          + " " + start + "-" + end + " " + zone.getId();
    }
  }

  /**
   * Reads a weekly span from its written parts; the exception's message says which part is wrong and
   * why.
   */
  public static Weekly parse(List<String> days, String start, String end, String timeZone) {
    if (days == null || days.isEmpty()) {
      throw new IllegalArgumentException("days: name at least one day (" + String.join(", ", DAYS) + ")");
    }
    Set<DayOfWeek> parsed = EnumSet.noneOf(DayOfWeek.class);
    for (String day : days) {
      int index = day == null ? -1 : DAYS.indexOf(day.toLowerCase(Locale.ROOT));
      if (index < 0) {
        throw new IllegalArgumentException("days: \"" + day + "\" is not a day; use " + String.join(", ", DAYS));
      }
      if (!parsed.add(DayOfWeek.of(index + 1))) {
        throw new IllegalArgumentException("days: " + DAYS.get(index) + " is named twice");
      }
    }
    LocalTime from = time("start", start);
    LocalTime to = time("end", end);
    if (from.equals(to)) {
      throw new IllegalArgumentException("end: start and end are both " + start + "; a window must not start and end "
          + "at the same time");
    }
    return new Weekly(parsed, from, to, zone(timeZone));
  }

  /** A time zone by its IANA name; the exception's message names the problem. */
  public static ZoneId zone(String timeZone) {
    if (timeZone == null || timeZone.isBlank()) {
      throw new IllegalArgumentException("timeZone: name a time zone such as Europe/London or UTC");
    }
    try {
      return ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("timeZone: \"" + timeZone + "\" is not a time zone (use an IANA name such "
          + "as Europe/London or UTC)");
    }
  }

  private static LocalTime time(String field, String text) {
    if (text == null || !TIME.matcher(text).matches()) {
      throw new IllegalArgumentException(field + ": \"" + text + "\" is not a time of day; write HH:MM from 00:00 to "
          + "23:59");
    }
    return LocalTime.parse(text);
  }

  /** The first instant whose wall-clock time is {@code at} or later (a time skipped opens when the clocks jump). */
  public static Instant opening(LocalDateTime at, ZoneId zone) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(at);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return at.atZone(zone).withEarlierOffsetAtOverlap().toInstant();
  }

  /** The last instant the wall clock reaches {@code at} (a time repeated closes at its second occurrence). */
  public static Instant closing(LocalDateTime at, ZoneId zone) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(at);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return at.atZone(zone).withLaterOffsetAtOverlap().toInstant();
  }

  /** A problem with one field of a stage's windows, the field relative to the stage. */
  public record Problem(String field, String message) {}

  /**
   * Everything wrong with a stage's windows: unreadable days, times or zones, a window that starts
   * and ends at the same time, and two windows that overlap. Each message names the stage and the
   * window.
   */
  public static List<Problem> check(Stage stage) {
    List<Problem> problems = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    List<Weekly> parsed = new ArrayList<>();
    for (int i = 0; i < stage.windows().size(); i++) {
      Stage.Window w = stage.windows().get(i);
      String name = "stage " + stage.name() + ", window " + i + " (" + written(w) + ")";
      try {
        parsed.add(parse(w.days(), w.start(), w.end(), w.timeZone()));
        indexes.add(i);
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        String part = colon > 0 ? message.substring(0, colon) : "";
        problems.add(new Problem("windows[" + i + "]" + (part.isEmpty() ? "" : "." + part),
            name + ": " + (colon > 0 ? message.substring(colon + 2) : message)));
      }
    }
    for (int a = 0; a < parsed.size(); a++) {
      for (int b = a + 1; b < parsed.size(); b++) {
        Optional<Instant> both = firstOverlap(parsed.get(a), parsed.get(b));
        if (both.isPresent()) {
          problems.add(new Problem("windows[" + indexes.get(b) + "]", "stage " + stage.name() + ": window "
              + indexes.get(a) + " (" + parsed.get(a).describe() + ") and window " + indexes.get(b) + " ("
              + parsed.get(b).describe() + ") overlap (both are open at " + both.get() + "); merge them into one"));
        }
      }
    }
    return problems;
  }

  /** The first instant two weekly spans are both open, over a year holding every clock change. */
  static Optional<Instant> firstOverlap(Weekly a, Weekly b) {
    Instant from = OVERLAP_FROM.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = OVERLAP_TO.atStartOfDay(ZoneOffset.UTC).toInstant();
    List<Span> first = a.occurrences(from, to);
    List<Span> second = b.occurrences(from, to);
    int i = 0;
    int j = 0;
    while (i < first.size() && j < second.size()) {
      Span x = first.get(i);
      Span y = second.get(j);
      if (x.overlaps(y)) {
        return Optional.of(x.start().isAfter(y.start()) ? x.start() : y.start());
      }
      if (x.end().isAfter(y.end())) {
        j++;
      } else {
        i++;
      }
    }
    return Optional.empty();
  }

  private static String written(Stage.Window w) {
    return (w.days() == null ? "" : String.join(",", w.days().stream().map(String::valueOf).toList())) + " "
        + w.start() + "-" + w.end() + " " + w.timeZone();
  }

  /** The earliest of several spans by start. */
  public static final Comparator<Span> BY_START = Comparator.comparing(Span::start).thenComparing(Span::end);
}
