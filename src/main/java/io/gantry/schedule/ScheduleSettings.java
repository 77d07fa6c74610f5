package io.gantry.schedule;

import io.gantry.model.TimeSpan;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code gantry.schedule.window-expiry}: how long after the window a deployment was planned for has
 * closed it may still wait for a later one before it fails as having missed its window ({@code none}:
 * never; default {@code 0s}: it fails once that window has closed). {@code
 * gantry.schedule.default-duration}: how long a deployment without a planned end is expected to take,
 * for the schedule and for overlaps (default {@code 1h}).
 */
@Component
class ScheduleSettings {

  /** Null means a deployment never expires waiting for a window. */
  final Duration windowExpiry;
  final String windowExpiryText;
  final Duration defaultDuration;

  ScheduleSettings(@Value("${gantry.schedule.window-expiry:0s}") String windowExpiry,
      @Value("${gantry.schedule.default-duration:1h}") String defaultDuration) {
    this.windowExpiryText = windowExpiry.strip();
    this.windowExpiry = windowExpiryText.equals("none") ? null : duration("gantry.schedule.window-expiry",
        windowExpiryText, true);
    this.defaultDuration = duration("gantry.schedule.default-duration", defaultDuration.strip(), false);
  }

  private static Duration duration(String property, String text, boolean noneAllowed) {
    try {
      Duration d = new TimeSpan(text).toDuration();
      if (!noneAllowed && d.isZero()) {
        throw new IllegalArgumentException(property + " must be longer than 0");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(property + "=" + text + ": " + e.getMessage()
          + (noneAllowed ? ", or none" : ""), e);
    }
  }
}
