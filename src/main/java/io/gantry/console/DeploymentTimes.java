package io.gantry.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How a deployment's pages write instants and durations: UTC to the second, durations as 1h 2m 3s. */
final class DeploymentTimes {

  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  private DeploymentTimes() {}

  static String of(Instant at) {
    return at == null ? null : UTC.format(at);
  }

  static String duration(Instant from, Instant to) {
    return seconds(Duration.between(from, to).toMillis() / 1000.0);
  }

  static String seconds(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return seconds < 10 && seconds != Math.floor(seconds) ? String.format(java.util.Locale.ROOT, "%.1fs", seconds)
          : s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m " + s % 60 + "s";
    }
    if (s < 86400) {
      return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
    return s / 86400 + "d " + s % 86400 / 3600 + "h";
  }
}
