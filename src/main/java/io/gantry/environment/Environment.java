package io.gantry.environment;

import java.time.Instant;

/** A stored environment. */
public record Environment(long id, EnvironmentDefinition definition, long rowVersion, Instant createdAt,
    Instant updatedAt) {

  public String name() {
    return definition.name();
  }
}
