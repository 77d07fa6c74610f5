package io.gantry.console;

/**
 * Figures written as {@code gantry metrics} writes them in its tables (the same rounding and units), so a
 * page and the CLI read alike; the exact value goes in a {@code <data value>} beside. Public for the
 * compiled templates only.
 */
public final class Figures {

  private Figures() {}

  /** A number as the CLI prints it: whole numbers without decimals, "-" for none. */
  public static String number(Number value) {
    if (value == null) {
      return "-";
    }
    double d = value.doubleValue();
    return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  public static String percent(Double value) {
    return value == null ? "-" : number(value) + " %";
  }

  /** Seconds as a short duration: 2d 3h, 4h 10m, 5m 3s, 12s. */
  public static String duration(Double seconds) {
    return seconds == null ? "-" : io.gantry.shared.Durations.shortText(seconds);
  }

  /** The exact value for a {@code <data value>}: empty for none. */
  public static String raw(Object value) {
    return value == null ? "" : String.valueOf(value);
  }

  /** A DORA level as the CLI prints it, "-" for none. */
  public static String level(Enum<?> level) {
    return level == null ? "-" : level.name().toLowerCase(java.util.Locale.ROOT);
  }
}
