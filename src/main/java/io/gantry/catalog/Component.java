package io.gantry.catalog;

import java.time.Instant;

/** A stored component. */
public record Component(long id, ComponentDefinition definition, long rowVersion, Instant createdAt,
    Instant updatedAt) {

  public ComponentRef ref() {
    return definition.ref();
  }
}
