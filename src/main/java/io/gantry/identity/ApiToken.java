package io.gantry.identity;

import java.time.Instant;

/** A stored API token: never its secret, only a hash of it and a short prefix to recognise it by. */
public record ApiToken(long id, String user, String name, String prefix, Instant createdAt, Instant expiresAt,
    Instant revokedAt, String revokedBy, Instant lastUsedAt) {

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
