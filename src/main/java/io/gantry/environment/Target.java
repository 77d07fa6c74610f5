package io.gantry.environment;

import java.time.Instant;

/** A stored target. */
public record Target(long id, TargetDefinition definition, long rowVersion, Instant createdAt, Instant updatedAt) {

  public String name() {
    return definition.name();
  }
}
