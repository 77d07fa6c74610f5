package io.gantry.catalog;

import java.time.Instant;

/** A stored trusted key: its definition, its fingerprint and its row version for optimistic locking. */
public record TrustedKey(long id, TrustedKeyDefinition definition, String fingerprint, long rowVersion,
    Instant createdAt, Instant updatedAt) {

  public String name() {
    return definition.name();
  }
}
