package io.gantry.metrics;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How often the server evaluates the KPIs on its own ({@code gantry.kpi.evaluation.every}): a number of months
 * ({@code P1M}, {@code P3M}, {@code P1Y}) or of days ({@code P7D}, {@code P2W}, {@code 30d}), from one day to a
 * year. The periods are fixed spans of time in UTC: months counted from January 1970 (so {@code P3M} gives
 * calendar quarters), days from 1 January 1970.
 */
record EvaluationEvery(int months, int days) {

  private static final Pattern ISO = Pattern.compile("P(\\d{1,4})([YMWD])");
  private static final Pattern SHORT = Pattern.compile("(\\d{1,4})d");

  EvaluationEvery {
    if ((months == 0) == (days == 0) || months < 0 || days < 0 || months > 12 || days > Period.MAX_DAYS) {
      throw new IllegalArgumentException("an evaluation period is 1 to 12 months or 1 to " + Period.MAX_DAYS
          + " days");
    }
  }

  /**
   * The setting's value; refused, naming the setting and what it accepts, when it is not one. Null when the
   * value is blank: no periodic evaluation.
   */
  static EvaluationEvery parse(String setting, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    Matcher iso = ISO.matcher(v.toUpperCase(java.util.Locale.ROOT));
    Matcher shortForm = SHORT.matcher(v);
    try {
      if (iso.matches()) {
        int n = Integer.parseInt(iso.group(1));
        return switch (iso.group(2)) {
          case "Y" -> new EvaluationEvery(n * 12, 0);
          case "M" -> new EvaluationEvery(n, 0);
          case "W" -> new EvaluationEvery(0, n * 7);
          default -> new EvaluationEvery(0, n);
        };
      }
      if (shortForm.matches()) {
        return new EvaluationEvery(0, Integer.parseInt(shortForm.group(1)));
      }
    } catch (IllegalArgumentException e) {
      // out of range: refused below with the same message
    }
    throw new IllegalArgumentException(setting + "=" + value + ": not an evaluation period; use a number of months "
        + "(P1M, P3M, P1Y) or of days (P7D, P2W, 30d), from 1 day to 1 year, or leave it empty for none");
  }

  /** The setting in its own words, part of each periodic evaluation's slot: {@code P1M}, {@code P30D}. */
  String id() {
    return months > 0 ? "P" + months + "M" : "P" + days + "D";
  }

  /** The start of the span that contains {@code t}. */
  Instant spanStart(Instant t) {
    LocalDate day = t.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate start;
    if (months > 0) {
      long index = (day.getYear() - 1970L) * 12 + day.getMonthValue() - 1;
      long first = Math.floorDiv(index, months) * months;
      start = LocalDate.of(1970, 1, 1).plusMonths(first);
    } else {
      start = LocalDate.ofEpochDay(Math.floorDiv(day.toEpochDay(), days) * days);
    }
    return start.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The start of the span after the one starting at {@code start}. */
  Instant next(Instant start) {
    LocalDate day = start.atZone(ZoneOffset.UTC).toLocalDate();
    return (months > 0 ? day.plusMonths(months) : day.plusDays(days)).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The start of the span before the one starting at {@code start}. */
  Instant previous(Instant start) {
    LocalDate day = start.atZone(ZoneOffset.UTC).toLocalDate();
    return (months > 0 ? day.minusMonths(months) : day.minusDays(days)).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
