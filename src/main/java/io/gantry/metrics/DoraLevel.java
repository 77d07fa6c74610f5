package io.gantry.metrics;

import java.time.Duration;
import java.util.Locale;

/**
 * The performance levels of the DORA 2024 report (Accelerate State of DevOps 2024, software delivery
 * performance clusters), turned into bounds on each measure alone. The report describes clusters:
 *
 * <pre>
 *            deployment frequency             change lead time      change fail rate  recovery time
 *   elite    on demand (several a day)        less than one day     5%                less than one hour
 *   high     once a day to once a week        one day to one week   20%               less than one day
 *   medium   once a week to once a month      one week to a month   10%               less than one day
 *   low      once a month to once in 6 months one to six months    40%               one week to a month
 * </pre>
 *
 * Where the clusters do not order (change fail rate: medium's 10% is better than high's 20%;
 * recovery: high and medium share "less than one day") the level stops at high and what is worse
 * than high's bound is low. Deployment rework rate has no cluster values in the report, so it gets
 * no level.
 */
public enum DoraLevel {
  ELITE, HIGH, MEDIUM, LOW;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Elite above one a day, high from one a week, medium from one a month (30 days), else low. */
  static DoraLevel frequency(Double perDay) {
    if (perDay == null) {
      return null;
    }
    return perDay > 1 ? ELITE : perDay >= 1.0 / 7 ? HIGH : perDay >= 1.0 / 30 ? MEDIUM : LOW;
  }

  /** Elite under a day, high up to a week, medium up to a month (30 days), else low. */
  static DoraLevel leadTime(Double seconds) {
    if (seconds == null) {
      return null;
    }
    return seconds < Duration.ofDays(1).toSeconds() ? ELITE : seconds <= Duration.ofDays(7).toSeconds() ? HIGH
        : seconds <= Duration.ofDays(30).toSeconds() ? MEDIUM : LOW;
  }

  /** Elite up to 5%, high up to 20%, else low. */
  static DoraLevel changeFailRate(Double percent) {
    if (percent == null) {
      return null;
    }
    return percent <= 5 ? ELITE : percent <= 20 ? HIGH : LOW;
  }

  /** Elite under an hour, high under a day, else low. */
  static DoraLevel recovery(Double seconds) {
    if (seconds == null) {
      return null;
    }
    return seconds < Duration.ofHours(1).toSeconds() ? ELITE : seconds < Duration.ofDays(1).toSeconds() ? HIGH : LOW;
  }
}
