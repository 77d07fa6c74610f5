package io.gantry.schedule;

import io.gantry.model.WindowRules;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a freeze is written and what is refused. A freeze is {@code once} (from and to are instants:
 * ISO-8601 with an offset, or a local date-time with {@code timeZone}), {@code yearly} (from and to
 * are days of the year as MM-DD, whole days, in {@code timeZone}) or {@code weekly} (days, and from
 * and to as HH:MM in {@code timeZone}, written as a window is).
 */
final class FreezeRules {

  private static final Pattern MONTH_DAY = Pattern.compile("(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])");

  private FreezeRules() {}

  /** A freeze as asked for, not yet checked. */
  record Draft(String name, String reason, String environment, String service, String recurrence, String from,
      String to, List<String> days, String timeZone) {}

  /** A checked draft: what to store. */
  record Checked(String name, String reason, String environment, String service, Freeze.Recurrence recurrence) {}

  /**
   * Checks a draft; {@code environmentExists} and {@code serviceExists} say whether a name is declared.
   * Throws {@link InvalidInputException} with every problem found.
   */
  static Checked check(Draft d, java.util.function.Predicate<String> environmentExists,
      java.util.function.Predicate<String> serviceExists, Instant now) {
    List<Finding> findings = new ArrayList<>();
    if (d.name() == null || d.name().isBlank()) {
      findings.add(Finding.of("name", "give the freeze a name (e.g. year-end)"));
    } else if (d.name().length() > 100) {
      findings.add(Finding.of("name", "a freeze's name has at most 100 characters"));
    }
    if (d.reason() == null || d.reason().isBlank()) {
      findings.add(Finding.of("reason", "say why nothing may be deployed (the reason is shown to everyone held back)"));
    } else if (d.reason().length() > 2000) {
      findings.add(Finding.of("reason", "the reason has at most 2000 characters"));
    }
    if (d.environment() != null && !environmentExists.test(d.environment())) {
      findings.add(Finding.of("environment", "environment \"" + d.environment() + "\" is not declared"));
    }
    if (d.service() != null && !serviceExists.test(d.service())) {
      findings.add(Finding.of("service", "service \"" + d.service() + "\" is not declared"));
    }
    String kind = d.recurrence() == null ? "once" : d.recurrence().toLowerCase(Locale.ROOT);
    Freeze.Recurrence recurrence = switch (kind) {
      case "once" -> once(d, now, findings);
      case "yearly" -> yearly(d, findings);
      case "weekly" -> weekly(d, findings);
      default -> {
        findings.add(Finding.of("recurrence", "\"" + d.recurrence() + "\" is not a recurrence; use once, yearly or "
            + "weekly"));
        yield null;
      }
    };
    if (!findings.isEmpty()) {
      throw new InvalidInputException(findings.size() + " problem(s) with the freeze", findings);
    }
    return new Checked(d.name().strip(), d.reason().strip(), d.environment(), d.service(), recurrence);
  }

  private static Freeze.Recurrence once(Draft d, Instant now, List<Finding> findings) {
    if (d.days() != null && !d.days().isEmpty()) {
      findings.add(Finding.of("days", "only weekly freezes name days"));
    }
    ZoneId zone = null;
    if (d.timeZone() != null) {
      try {
        zone = WindowRules.zone(d.timeZone());
      } catch (IllegalArgumentException e) {
        findings.add(Finding.of("timeZone", after(e.getMessage())));
        return null;
      }
    }
    Instant from = instant("from", d.from(), zone, findings);
    Instant to = instant("to", d.to(), zone, findings);
    if (from == null || to == null) {
      return null;
    }
    if (!to.isAfter(from)) {
      findings.add(Finding.of("to", "the freeze ends (" + to + ") before it starts (" + from + ")"));
      return null;
    }
    if (!to.isAfter(now)) {
      findings.add(Finding.of("to", "the freeze would end at " + to + ", which is past (now " + now + ")"));
      return null;
    }
    return new Freeze.Once(from, to);
  }

  private static Freeze.Recurrence yearly(Draft d, List<Finding> findings) {
    if (d.days() != null && !d.days().isEmpty()) {
      findings.add(Finding.of("days", "only weekly freezes name days"));
    }
    MonthDay first = monthDay("from", d.from(), findings);
    MonthDay last = monthDay("to", d.to(), findings);
    ZoneId zone = zone(d, findings);
    return first == null || last == null || zone == null ? null : new Freeze.Yearly(first, last, zone);
  }

  private static Freeze.Recurrence weekly(Draft d, List<Finding> findings) {
    try {
      return new Freeze.Weekly(WindowRules.parse(d.days(), d.from(), d.to(), d.timeZone()));
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      int colon = message.indexOf(": ");
      String field = colon < 0 ? "" : message.substring(0, colon);
      field = switch (field) {
        case "start" -> "from";
        case "end" -> "to";
        default -> field;
      };
      findings.add(Finding.of(field, (colon < 0 ? message : message.substring(colon + 2))
          .replace("a window must not", "a weekly freeze must not")));
      return null;
    }
  }

  private static ZoneId zone(Draft d, List<Finding> findings) {
    try {
      return WindowRules.zone(d.timeZone());
    } catch (IllegalArgumentException e) {
      findings.add(Finding.of("timeZone", after(e.getMessage())));
      return null;
    }
  }

  private static MonthDay monthDay(String field, String text, List<Finding> findings) {
    if (text == null || !MONTH_DAY.matcher(text).matches()) {
      findings.add(Finding.of(field, "\"" + text + "\" is not a day of the year; write MM-DD, e.g. 12-20"));
      return null;
    }
    try {
      MonthDay day = MonthDay.parse("--" + text);
      if (!Freeze.Yearly.everyYear(day)) {
        findings.add(Finding.of(field, text + " does not come every year; use 02-28 or 03-01"));
        return null;
      }
      return day;
    } catch (DateTimeParseException e) {
      findings.add(Finding.of(field, text + " is not a day of the year (that month is shorter)"));
      return null;
    }
  }

  /**
   * An instant written with an offset ({@code 2026-12-20T18:00:00Z}, {@code 2026-12-20T18:00+01:00}) or,
   * with a time zone, a local date-time ({@code 2026-12-20T18:00}).
   */
  static Instant instant(String field, String text, ZoneId zone, List<Finding> findings) {
    if (text == null || text.isBlank()) {
      findings.add(Finding.of(field, "give the time (e.g. 2026-12-20T18:00:00Z)"));
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      // a local date-time, below
    }
    try {
      LocalDateTime local = LocalDateTime.parse(text);
      if (zone == null) {
        findings.add(Finding.of(field, "\"" + text + "\" has no offset: add one (2026-12-20T18:00:00Z) or give "
            + "timeZone"));
        return null;
      }
      return WindowRules.opening(local, zone);
    } catch (DateTimeException e) {
      findings.add(Finding.of(field, "\"" + text + "\" is not a time; write ISO-8601 such as 2026-12-20T18:00:00Z, "
          + "2026-12-20T18:00+01:00, or 2026-12-20T18:00 with timeZone"));
      return null;
    }
  }

  /** Reads back a stored recurrence. */
  static Freeze.Recurrence stored(String kind, String starts, String ends, String days, String timeZone) {
    return switch (kind) {
      case "once" -> new Freeze.Once(Instant.parse(starts), Instant.parse(ends));
      case "yearly" -> new Freeze.Yearly(MonthDay.parse("--" + starts), MonthDay.parse("--" + ends),
          ZoneId.of(timeZone));
      case "weekly" -> new Freeze.Weekly(WindowRules.parse(Arrays.asList(days.split(",")), starts, ends, timeZone));
      default -> throw new IllegalStateException("unknown recurrence " + kind);
    };
  }

  private static String after(String message) {
    int colon = message.indexOf(": ");
    return colon < 0 ? message : message.substring(colon + 2);
  }
}
