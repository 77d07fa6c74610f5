package io.gantry.config;

import io.gantry.shared.SourceLocation;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One YAML document of a configuration file, as a JSON tree, with the position of every field so
 * that errors point at the line and column a user must change.
 *
 * @param index 0-based position of the document in its file
 * @param kind the document's {@code kind}, or null if it has none
 * @param name its {@code metadata.name}, or null if it has none
 */
public record ConfigDocument(String file, int index, String kind, String name, JsonNode body,
    Map<String, SourceLocation> locations) {

  /**
   * Where a field is ({@code spec.stages[1].environment}); for a field that is absent, where its
   * nearest present parent is.
   */
  public SourceLocation locate(String path) {
    String p = path == null ? "" : path;
    while (true) {
      SourceLocation at = locations.get(p);
      if (at != null) {
        return at;
      }
      if (p.isEmpty()) {
        return new SourceLocation(file, 0, 0);
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
  }
}
