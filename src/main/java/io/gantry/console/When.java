package io.gantry.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times as the change and calendar pages write them: in UTC, to the minute. Public for the templates only. */
public final class When {

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  private When() {}

  public static String at(Instant t) {
    return t == null ? "" : MINUTE.format(t);
  }

  /** The time of day alone (UTC), for an entry inside a day cell. */
  public static String time(Instant t) {
    return t == null ? "" : TIME.format(t);
  }

  /** The machine-readable form for a {@code <time datetime>}. */
  public static String iso(Instant t) {
    return t == null ? "" : t.toString();
  }
}
