package io.gantry.trigger;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.springframework.scheduling.support.CronExpression;

/**
 * The cron expression of a {@code schedule} trigger: five fields (minute, hour, day of month, month,
 * day of week) in the syntax of Spring's {@link CronExpression} (ranges, lists, steps, names such as
 * MON or JAN, {@code L}, {@code W}, {@code #}), read in a time zone. A day must match both the day of
 * month and the day of week when both are restricted. Expressions that no date matches (30 February)
 * are refused.
 */
public final class TriggerCron {

  /** How far back a sweep looks for the last missed firing; older ones are long superseded. */
  private static final Duration LOOK_BACK = Duration.ofDays(400);
  private static final ZonedDateTime REFERENCE = ZonedDateTime.of(2001, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private final CronExpression expression;
  private final ZoneId zone;

  private TriggerCron(CronExpression expression, ZoneId zone) {
    this.expression = expression;
    this.zone = zone;
  }

  /** What is wrong with a five-field cron expression, or empty when it is usable. */
  public static Optional<String> problem(String cron) {
    try {
      expression(cron);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** A checked expression in a zone (UTC when none is given). */
  static TriggerCron parse(String cron, String timeZone) {
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("\"" + timeZone + "\" is not a time zone");
    }
    return new TriggerCron(expression(cron), zone);
  }

  private static CronExpression expression(String cron) {
    if (cron == null || cron.isBlank()) {
      throw new IllegalArgumentException("a schedule trigger needs a cron expression of five fields: minute hour "
          + "day-of-month month day-of-week (e.g. \"0 2 * * 1-5\")");
    }
    String[] fields = cron.strip().split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("\"" + cron + "\" has " + fields.length + " field(s); a cron expression "
          + "here has five: minute hour day-of-month month day-of-week (e.g. \"0 2 * * 1-5\")");
    }
    CronExpression expression;
    try {
      expression = CronExpression.parse("0 " + String.join(" ", fields));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + cron + "\" is not a cron expression: " + e.getMessage());
    }
    if (expression.next(REFERENCE) == null) {
      throw new IllegalArgumentException("\"" + cron + "\" never fires: no date matches it");
    }
    return expression;
  }

  /** The last firing after {@code after} and not after {@code upTo}, if any. */
  Optional<Instant> latest(Instant after, Instant upTo) {
    Instant from = after.isBefore(upTo.minus(LOOK_BACK)) ? upTo.minus(LOOK_BACK) : after;
    ZonedDateTime at = from.atZone(zone);
    Instant last = null;
    while (true) {
      ZonedDateTime next = expression.next(at);
      if (next == null || next.toInstant().isAfter(upTo)) {
        return Optional.ofNullable(last);
      }
      last = next.toInstant();
      at = next;
    }
  }
}
