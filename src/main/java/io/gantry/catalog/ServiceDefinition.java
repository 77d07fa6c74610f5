package io.gantry.catalog;

import java.util.Map;
import java.util.TreeMap;

/** A service as configuration declares it. */
public record ServiceDefinition(String name, String description, String owner, Map<String, String> labels) {

  public ServiceDefinition {
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }
}
