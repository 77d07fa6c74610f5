package io.gantry.shared;

import java.util.regex.Pattern;

/**
 * Hides credentials in text that Gantry keeps or shows, such as what a step printed: an API token
 * ({@code gty_} and 40 letters or digits) a script read from wherever it could becomes
 * {@code gty_****}, so a record readable by many never hands one on.
 */
public final class Masking {

  private static final Pattern API_TOKEN = Pattern.compile("gty_[A-Za-z0-9]{40}(?![A-Za-z0-9])");

  private Masking() {}

  /** {@code text} with every credential it holds masked; null stays null. */
  public static String mask(String text) {
    if (text == null || !text.contains("gty_")) {
      return text;
    }
    return API_TOKEN.matcher(text).replaceAll("gty_****");
  }
}
