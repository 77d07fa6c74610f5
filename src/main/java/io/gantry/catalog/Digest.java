package io.gantry.catalog;

import java.util.HexFormat;
import java.util.regex.Pattern;

/** A SHA-256 content digest written as {@code sha256:<64 lower-case hex digits>}. */
public record Digest(String value) {

  private static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");

  public Digest {
    if (value == null || !FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException(describe(value));
    }
  }

  /** Accepts upper-case hex too, and normalizes it. */
  public static Digest parse(String text) {
    return new Digest(text == null ? null : text.trim().toLowerCase(java.util.Locale.ROOT));
  }

  public static String describe(String value) {
    return "\"" + value + "\" is not a valid digest: expected sha256: followed by 64 hex digits";
  }

  public static Digest ofSha256(byte[] hash) {
    return new Digest("sha256:" + HexFormat.of().formatHex(hash));
  }

  public String hex() {
    return value.substring("sha256:".length());
  }

  @Override
  public String toString() {
    return value;
  }
}
