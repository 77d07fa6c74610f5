package io.gantry.catalog;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A component as configuration declares it. */
public record ComponentDefinition(
    String service,
    String name,
    ComponentType type,
    String description,
    String model,
    List<Requirement> requires,
    List<String> requiredAttributes,
    Map<String, String> labels) {

  /** Another component that must be present, in a version in the range, before this one. */
  public record Requirement(String component, String version) {}

  public ComponentDefinition {
    requires = requires == null ? List.of() : List.copyOf(requires);
    requiredAttributes = requiredAttributes == null ? List.of() : List.copyOf(requiredAttributes);
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }

  public ComponentRef ref() {
    return new ComponentRef(service, name);
  }
}
