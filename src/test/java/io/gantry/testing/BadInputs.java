package io.gantry.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates bad inputs for the fuzz suites from one seed: a new seed each run unless {@code
 * -Dgantry.fuzz.seed=N} repeats a run, and every failure names the seed. Texts lean towards what
 * breaks parsers and databases: very long, control and non-BMP characters, lone surrogates, path
 * tricks, numbers at the edges of their types, markup of YAML and JSON.
 */
public final class BadInputs {

  private static final String[] NASTY = {"", " ", "\u0000", "\t\n\r", "..", "../../etc/passwd", "%00", "%2e%2e%2f",
      "\uFEFF", "\uD800", "\uDFFF", "\uD83D\uDE00", "\u202E", "null", "undefined", "NaN", "-1", "0",
      "2147483648", "-9223372036854775809", "9223372036854775807", "1e400", "true", "{}", "[]", "'", "\"", "\\",
      "${jndi:ldap://x}", "#{1+1}", "<script>", "' or 1=1 --", "*", "&a", "!!binary", "? a", ": b", "- c", "|",
      ">", "%YAML 1.1", "---", "...", "@", "`", "~", "\u00e9\u00e8", "\u65e5\u672c"};

  public final long seed;
  private final Random random;

  public BadInputs() {
    this(Long.getLong("gantry.fuzz.seed", System.nanoTime()));
  }

  public BadInputs(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** What to put in a failure message so that the run can be repeated. */
  public String replay() {
    return "repeat with -Dgantry.fuzz.seed=" + seed;
  }

  public Random random() {
    return random;
  }

  public int between(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  public boolean chance(double p) {
    return random.nextDouble() < p;
  }

  @SafeVarargs
  public final <T> T oneOf(T... values) {
    return values[random.nextInt(values.length)];
  }

  public <T> T oneOf(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  public <T> List<T> listOf(int min, int max, Supplier<T> element) {
    List<T> list = new ArrayList<>();
    for (int i = between(min, max); i > 0; i--) {
      list.add(element.get());
    }
    return list;
  }

  /** A text from the nasty list, random characters, a very long run, or a mix of them. */
  public String text() {
    return switch (random.nextInt(6)) {
      case 0, 1 -> oneOf(NASTY);
      case 2 -> chars(between(1, 40));
      case 3 -> "x".repeat(between(64, 20_000));
      case 4 -> oneOf(NASTY) + chars(between(0, 10)) + oneOf(NASTY);
      default -> Long.toString(random.nextLong());
    };
  }

  /** Random characters from the whole of Unicode, control characters and lone surrogates included. */
  public String chars(int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(4)) {
        case 0 -> sb.append((char) between(0, 31));
        case 1 -> sb.append((char) between(32, 126));
        case 2 -> sb.append((char) between(0xD800, 0xDFFF));
        default -> sb.appendCodePoint(between(0xA0, 0x10FFFF) & ~0x800 | 0xA0);
      }
    }
    return sb.toString();
  }

  /** A number at or near the edge of some type. */
  public Object number() {
    return oneOf(-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
        new java.math.BigInteger("99999999999999999999999"), -0.5, 1.5e300, random.nextInt());
  }
}
