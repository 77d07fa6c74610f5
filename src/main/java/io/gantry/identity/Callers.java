package io.gantry.identity;

import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * The check a new request's caller passes, made again for a request that goes on for long (a deployment's stream
 * is open up to an hour): an API token revoked or expired meanwhile, an identity provider's token expired, or a
 * user disabled ends what it was being served.
 */
@Component
public class Callers {

  private final ApiTokens tokens;
  private final Users users;
  private final Clock clock;

  Callers(ApiTokens tokens, Users users, Clock clock) {
    this.tokens = tokens;
    this.users = users;
    this.clock = clock;
  }

  /** Why {@code caller}, as its request was authenticated, may no longer be served; null while it may. */
  public String refusal(Principal caller) {
    String name = caller.getName();
    User user = users.find(name).orElse(null);
    Instant now = clock.instant();
    if (caller instanceof UsernamePasswordAuthenticationToken t && t.getCredentials() instanceof Long id) {
      ApiToken token = tokens.find(id, name).orElse(null);
      return TokenAuthenticationFilter.refusal(token, user, now);
    }
    if (caller instanceof JwtUsers.Authenticated a && a.getDetails() instanceof Jwt jwt
        && jwt.getExpiresAt() != null && !jwt.getExpiresAt().isAfter(now)) {
      return "the identity provider's token of " + name + " expired at " + jwt.getExpiresAt();
    }
    if (user == null || user.disabled()) {
      return "the user \"" + name + "\" is disabled";
    }
    return null;
  }
}
