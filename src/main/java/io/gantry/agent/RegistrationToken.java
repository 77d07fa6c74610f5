package io.gantry.agent;

import java.time.Instant;

/** A token that registers agents, as stored: never its secret, only a hash and a prefix. */
record RegistrationToken(long id, String name, String prefix, int usesAllowed, int uses, String createdBy,
    Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy) {

  boolean usableAt(Instant now) {
    return revokedAt == null && now.isBefore(expiresAt) && uses < usesAllowed;
  }
}
