package io.gantry.model;

import java.util.Map;
import java.util.TreeMap;

/** A deployment model as configuration declares it. */
public record ModelDefinition(String name, String description, Map<String, String> labels, DeploymentModelSpec spec) {

  public ModelDefinition {
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }
}
