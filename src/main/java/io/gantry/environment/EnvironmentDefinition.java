package io.gantry.environment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An environment as configuration declares it. */
public record EnvironmentDefinition(
    String name,
    String description,
    Purpose purpose,
    boolean controlled,
    String owner,
    List<String> promotesTo,
    Map<String, String> labels) {

  public EnvironmentDefinition {
    promotesTo = promotesTo == null ? List.of() : List.copyOf(promotesTo);
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }
}
