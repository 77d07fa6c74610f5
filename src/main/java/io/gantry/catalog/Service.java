package io.gantry.catalog;

import java.time.Instant;

/** A stored service: its definition, its row version for optimistic locking and its timestamps. */
public record Service(long id, ServiceDefinition definition, long rowVersion, Instant createdAt, Instant updatedAt) {

  public String name() {
    return definition.name();
  }
}
