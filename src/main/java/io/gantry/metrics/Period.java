package io.gantry.metrics;

import io.gantry.shared.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The half-open span of time a report covers, {@code [from, to)}: both ends given, {@code from}
 * before {@code to}, at most {@value #MAX_DAYS} days long.
 */
public record Period(Instant from, Instant to) {

  public static final int MAX_DAYS = 366;

  public Period {
    if (from == null) {
      throw InvalidInputException.of("from", "the period needs a start (from)");
    }
    if (to == null) {
      throw InvalidInputException.of("to", "the period needs an end (to)");
    }
    if (!from.isBefore(to)) {
      throw InvalidInputException.of("to", "the period ends (" + to + ") before it starts (" + from + ")");
    }
    if (Duration.between(from, to).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
      throw InvalidInputException.of("to", "the period is longer than " + MAX_DAYS + " days (" + from + " to " + to
          + "); ask for several shorter periods");
    }
  }

  /**
   * Reads the ends as given by a user: an ISO-8601 instant ({@code 2026-03-01T00:00:00Z}) or a date
   * ({@code 2026-03-01}, UTC). A date as {@code to} includes that whole day. A period that starts
   * after now is refused: nothing can have happened in it yet.
   */
  public static Period parse(String from, String to, Clock clock) {
    if (from == null || from.isBlank()) {
      throw InvalidInputException.of("from", "the period needs a start (from), e.g. 2026-01-01");
    }
    if (to == null || to.isBlank()) {
      throw InvalidInputException.of("to", "the period needs an end (to), e.g. 2026-03-31");
    }
    Period period = new Period(instant("from", from, false), instant("to", to, true));
    if (period.from().isAfter(clock.instant())) {
      throw InvalidInputException.of("from", "the period starts in the future (" + from + ")");
    }
    return period;
  }

  private static Instant instant(String field, String text, boolean endOfDay) {
    String value = text.strip();
    try {
      if (value.length() == 10) {
        LocalDate day = LocalDate.parse(value);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw InvalidInputException.of(field, "\"" + text + "\" is neither a date (2026-03-01) nor an instant "
          + "(2026-03-01T00:00:00Z)");
    }
  }

  /** The part of the period that has passed at {@code now}: the whole period, or up to now. */
  public Duration elapsed(Instant now) {
    Instant end = now.isBefore(to) ? now : to;
    return end.isAfter(from) ? Duration.between(from, end) : Duration.ZERO;
  }

  /**
   * The days a rate per day is divided by: those that have passed, but at least one. Over less than a
   * day (a short period, or the first hours of one under way) a rate is the count so far, not a
   * count of minutes stretched to a day.
   */
  public double rateDays(Instant now) {
    return Math.max(1.0, elapsed(now).toSeconds() / 86400.0);
  }

  /** Whether the period has not ended yet at {@code now}. */
  public boolean partial(Instant now) {
    return now.isBefore(to);
  }
}
