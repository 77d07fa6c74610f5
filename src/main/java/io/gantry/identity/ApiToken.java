package io.gantry.identity;

import java.time.Instant;

/**
 * A stored API token: never its secret, only a hash of it and a short prefix to recognise it by.
 * An {@link Kind#ENROLMENT enrolment} code is a single-use credential that only creates its user's
 * own first token. {@code issuedByToken} is the token that made this one (null for the first
 * administrator's, for one made with an enrolment code, and for tokens made before it was recorded).
 */
public record ApiToken(long id, String user, String name, Kind kind, String prefix, Instant createdAt,
    Instant expiresAt, String issuedBy, Long issuedByToken, Instant revokedAt, String revokedBy,
    String revokedReason, Instant lastUsedAt) {

  /** What a stored credential may do. */
  public enum Kind {
    API, ENROLMENT;

    String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Kind of(String id) {
      return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }
  }

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  public boolean activeAt(Instant now) {
    return revokedAt == null && !expiredAt(now);
  }
}
