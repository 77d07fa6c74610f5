package io.gantry.environment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A target as configuration declares it; {@code path} for local targets, {@code location} for sites. */
public record TargetDefinition(
    String name,
    String description,
    String environment,
    TargetKind kind,
    String path,
    String location,
    Map<String, String> facts,
    List<String> tags,
    Map<String, String> labels) {

  public TargetDefinition {
    facts = facts == null ? Map.of() : new TreeMap<>(facts);
    tags = tags == null ? List.of() : List.copyOf(tags);
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }
}
