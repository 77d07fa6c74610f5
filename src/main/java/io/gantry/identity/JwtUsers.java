package io.gantry.identity;

import java.util.Collection;
import java.util.List;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Turns a verified access token into the Gantry user its username claim names: only an existing,
 * enabled user, with the authorities {@link #authorities} gives it (the token's own scopes, groups
 * and roles grant nothing). Users are never made from tokens.
 */
final class JwtUsers implements Converter<Jwt, AbstractAuthenticationToken> {

  private final Users users;
  private final String claim;

  JwtUsers(Users users, String claim) {
    this.users = users;
    this.claim = claim;
  }

  /** What a user signed on with a token may do: today its roles in Gantry, as with an API token. */
  static List<GrantedAuthority> authorities(User user) {
    return user.roles().stream().<GrantedAuthority>map(r -> new SimpleGrantedAuthority(r.authority())).toList();
  }

  @Override
  public AbstractAuthenticationToken convert(Jwt jwt) {
    String name = jwt.getClaimAsString(claim);
    if (name == null || name.isBlank()) {
      throw refused("the token has no " + claim + " claim, which names its Gantry user (gantry.oidc.username-claim)");
    }
    User user = users.find(name).orElse(null);
    if (user == null) {
      throw refused("the token's " + claim + " claim names \"" + name + "\", who is not a Gantry user; "
          + "a deployment manager creates users (single sign-on does not)");
    }
    if (user.disabled()) {
      throw refused("the user \"" + user.name() + "\" of this token is disabled");
    }
    return new Authenticated(user.name(), jwt, authorities(user));
  }

  private static InvalidBearerTokenException refused(String reason) {
    return new InvalidBearerTokenException("invalid token", new SingleSignOn.Refusal(reason, false, null));
  }

  /**
   * A Gantry user signed on with an access token: its name is the user's, it holds no API token
   * (credentials are null, so records name no token), and the token is kept as the details.
   */
  static final class Authenticated extends AbstractAuthenticationToken {

    private final String name;

    Authenticated(String name, Jwt jwt, Collection<? extends GrantedAuthority> authorities) {
      super(authorities);
      this.name = name;
      setDetails(jwt);
      setAuthenticated(true);
    }

    @Override
    public Object getPrincipal() {
      return name;
    }

    @Override
    public Object getCredentials() {
      return null;
    }
  }
}
