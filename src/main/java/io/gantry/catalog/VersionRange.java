package io.gantry.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Comma-separated constraints such as {@code >=1.4.0, <2.0.0}; a bare version means exactly it. */
public record VersionRange(String expression, List<Constraint> constraints) {

  private static final Pattern CONSTRAINT = Pattern.compile("\\s*(>=|<=|>|<|=)?\\s*(\\S+)\\s*");

  public record Constraint(String operator, Version version) {
    boolean allows(Version candidate) {
      int c = candidate.compareTo(version);
      return switch (operator) {
        case ">=" -> c >= 0;
        case "<=" -> c <= 0;
        case ">" -> c > 0;
        case "<" -> c < 0;
        default -> c == 0;
      };
    }
  }

  /** Parses a range; the message of the exception says which part is wrong. */
  public static VersionRange parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("a version range must not be empty");
    }
    List<Constraint> constraints = new ArrayList<>();
    for (String part : expression.split(",", -1)) {
      Matcher m = CONSTRAINT.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException("\"" + part.trim() + "\" is not a version constraint (use e.g. >=1.4.0)");
      }
      if (!Version.isValid(m.group(2))) {
        throw new IllegalArgumentException("in range \"" + expression + "\": " + Version.describe(m.group(2)));
      }
      constraints.add(new Constraint(m.group(1) == null ? "=" : m.group(1), new Version(m.group(2))));
    }
    return new VersionRange(expression.trim(), List.copyOf(constraints));
  }

  public boolean allows(Version candidate) {
    return constraints.stream().allMatch(c -> c.allows(candidate));
  }

  @Override
  public String toString() {
    return expression;
  }
}
