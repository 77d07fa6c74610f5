package io.gantry.shared;

/** Where in a submitted document something was found: file name, 1-based line and column. */
public record SourceLocation(String file, int line, int column) {

  public SourceLocation {
    if (file == null || file.isBlank()) {
      file = "<request>";
    }
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column : file;
  }
}
