package io.gantry.shared;

/**
 * One thing wrong with an input: the field (a JSON-pointer-like path such as {@code
 * spec.stages[1].environment}), what is wrong with it, and where it is when the input came from a
 * file.
 */
public record Finding(String field, String message, SourceLocation location) {

  public static Finding of(String field, String message) {
    return new Finding(field, message, null);
  }

  @Override
  public String toString() {
    String where = location == null ? "" : location + ": ";
    String what = field == null || field.isBlank() ? "" : field + ": ";
    return where + what + message;
  }
}
