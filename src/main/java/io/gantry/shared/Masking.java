package io.gantry.shared;

import java.util.regex.Pattern;

/**
 * Hides credentials in text that Gantry keeps or shows, such as what a step printed: an API token
 * ({@code gty_} and 40 letters or digits) a script read from wherever it could becomes
 * {@code gty_****}, and the value of every secret in the store becomes {@code ****}, so a record
 * readable by many never hands one on.
 */
public final class Masking {

  private static final Pattern API_TOKEN = Pattern.compile("gty_[A-Za-z0-9]{40}(?![A-Za-z0-9])");

  private static final java.util.List<java.util.function.Supplier<java.util.Collection<String>>> SOURCES =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private Masking() {}

  /** Adds values to mask wherever they appear (a secret store's values), asked for at each masking. */
  public static void addSource(java.util.function.Supplier<java.util.Collection<String>> values) {
    SOURCES.add(values);
  }

  /** Stops asking {@code values}, added before, e.g. when the store it reads is closed. */
  public static void removeSource(java.util.function.Supplier<java.util.Collection<String>> values) {
    SOURCES.remove(values);
  }

  /** {@code text} with every credential it holds masked; null stays null. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (var source : SOURCES) {
      java.util.Collection<String> values;
      try {
        values = source.get();
      } catch (RuntimeException e) {
        continue;
      }
      for (String value : values) {
        if (value != null && !value.isEmpty() && out.contains(value)) {
          out = out.replace(value, "****");
        }
      }
    }
    return out.contains("gty_") ? API_TOKEN.matcher(out).replaceAll("gty_****") : out;
  }
}
