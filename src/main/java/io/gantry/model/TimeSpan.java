package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration written as a number and a unit: {@code 500ms, 30s, 5m, 2h, 1d}. */
public record TimeSpan(String text) {

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  @JsonCreator
  public TimeSpan {
    if (text == null || !FORMAT.matcher(text).matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a duration: use a number and a unit "
          + "(500ms, 30s, 5m, 2h, 1d)");
    }
  }

  public Duration toDuration() {
    Matcher m = FORMAT.matcher(text);
    m.matches();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }
}
