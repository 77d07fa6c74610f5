package io.gantry.catalog;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A component version: one to four dot-separated numbers, an optional {@code -prerelease} and an
 * optional {@code +build} (semantic versioning, also allowing calendar versions such as 2026.03.1).
 * Ordered by number, a pre-release before its release; the build part does not order.
 */
public record Version(String value) implements Comparable<Version> {

  private static final String IDENT = "[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*";
  private static final Pattern FORMAT =
      Pattern.compile("(\\d{1,18}(\\.\\d{1,18}){0,3})(-(" + IDENT + "))?(\\+(" + IDENT + "))?");

  public Version {
    if (!isValid(value)) {
      throw new IllegalArgumentException(describe(value));
    }
  }

  public static boolean isValid(String value) {
    return value != null && value.length() <= 100 && FORMAT.matcher(value).matches();
  }

  public static String describe(String value) {
    return "\"" + value + "\" is not a valid version: use 1 to 4 dot-separated numbers with an optional "
        + "-prerelease and +build (e.g. 1.4.0, 2026.3.1, 2.0.0-rc.1+b45)";
  }

  private long[] numbers() {
    Matcher m = FORMAT.matcher(value);
    m.matches();
    long[] parts = Arrays.stream(m.group(1).split("\\.")).mapToLong(Long::parseLong).toArray();
    return Arrays.copyOf(parts, 4);
  }

  private String prerelease() {
    Matcher m = FORMAT.matcher(value);
    m.matches();
    return m.group(4);
  }

  @Override
  public int compareTo(Version other) {
    int byNumber = Arrays.compare(numbers(), other.numbers());
    if (byNumber != 0) {
      return byNumber;
    }
    String a = prerelease();
    String b = other.prerelease();
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : 1) : -1;
    }
    List<String> pa = List.of(a.split("\\."));
    List<String> pb = List.of(b.split("\\."));
    for (int i = 0; i < Math.min(pa.size(), pb.size()); i++) {
      int c = compareIdentifier(pa.get(i), pb.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(pa.size(), pb.size());
  }

  private static int compareIdentifier(String a, String b) {
    boolean na = a.chars().allMatch(Character::isDigit);
    boolean nb = b.chars().allMatch(Character::isDigit);
    if (na && nb) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    return na ? -1 : nb ? 1 : a.compareTo(b);
  }

  @Override
  public String toString() {
    return value;
  }
}
