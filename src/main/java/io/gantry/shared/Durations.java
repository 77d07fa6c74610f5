package io.gantry.shared;

/** Durations as people read them in a table: the CLI's measures and the console's show them alike. */
public final class Durations {

  private Durations() {}

  /** Seconds as a short duration, rounded to its two largest units: 2d 3h, 4h 10m, 5m 3s, 12s. */
  public static String shortText(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60 == 0 ? "" : " " + (s % 60) + "s");
    }
    if (s < 86400) {
      return (s / 3600) + "h" + (s % 3600 / 60 == 0 ? "" : " " + (s % 3600 / 60) + "m");
    }
    return (s / 86400) + "d" + (s % 86400 / 3600 == 0 ? "" : " " + (s % 86400 / 3600) + "h");
  }
}
