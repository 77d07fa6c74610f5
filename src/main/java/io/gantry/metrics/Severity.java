package io.gantry.metrics;

import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;

/** How bad an incident is: 1 critical, 2 high, 3 medium, 4 low. */
public enum Severity {
  CRITICAL, HIGH, MEDIUM, LOW;

  public int level() {
    return ordinal() + 1;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Severity of(int level) {
    if (level < 1 || level > 4) {
      throw InvalidInputException.of("severity", "severity " + level + " is not 1 (critical) to 4 (low)");
    }
    return values()[level - 1];
  }

  /** Reads {@code 1}..{@code 4} or a name ({@code critical}, {@code high}, {@code medium}, {@code low}). */
  public static Severity parse(String text) {
    if (text == null || text.isBlank()) {
      throw InvalidInputException.of("severity", "an incident needs a severity: 1-4 or critical, high, medium, low");
    }
    String value = text.strip();
    if (value.chars().allMatch(Character::isDigit) && value.length() <= 2) {
      return of(Integer.parseInt(value));
    }
    return Arrays.stream(values()).filter(s -> s.id().equalsIgnoreCase(value)).findFirst()
        .orElseThrow(() -> InvalidInputException.of("severity", "\"" + text
            + "\" is not a severity: use 1-4 or critical, high, medium, low"));
  }
}
