package io.gantry.catalog;

import java.util.regex.Pattern;

/** The rule for a path inside a version: relative, forward slashes, and never leaving its folder. */
public final class ArtifactPaths {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._+@=,~-]+");

  private ArtifactPaths() {}

  /** Why the path is refused, or null when it is fine. */
  public static String problem(String path) {
    if (path == null || path.isBlank()) {
      return "an artifact path must not be empty";
    }
    if (path.length() > 500) {
      return "artifact path is longer than 500 characters";
    }
    if (path.startsWith("/") || path.contains("\\") || path.matches("^[A-Za-z]:.*")) {
      return "artifact path \"" + path + "\" must be relative to the version, with '/' separators";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        return "artifact path \"" + path + "\" escapes its folder ('" + segment + "' is not allowed)";
      }
      if (segment.isEmpty()) {
        return "artifact path \"" + path + "\" has an empty segment";
      }
      if (!SEGMENT.matcher(segment).matches()) {
        return "artifact path \"" + path + "\" has characters other than letters, digits and ._+@=,~-";
      }
    }
    return null;
  }
}
