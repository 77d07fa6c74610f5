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
 * enabled user, with the authorities {@link #authorities} gives it (the token's own scopes and roles
 * grant nothing). Users are never made from tokens. With a groups claim, the user's groups become the
 * groups the token names (as the provider says at each sign-in; a change is recorded), and the roles
 * bound to those groups in Gantry are held.
 */
final class JwtUsers implements Converter<Jwt, AbstractAuthenticationToken> {

  /** Who changes a user's groups at sign-in, in the identity history. */
  static final Actor PROVIDER = new Actor("identity-provider", null);

  private static final java.util.regex.Pattern GROUP = java.util.regex.Pattern.compile(
      "^[a-z0-9]([a-z0-9-]{0," + (RoleBindings.Subject.MAX_GROUP - 2) + "}[a-z0-9])?$");

  private final Users users;
  private final RoleBindings bindings;
  private final org.springframework.transaction.support.TransactionTemplate tx;
  private final String claim;
  private final String groupsClaim;

  JwtUsers(Users users, RoleBindings bindings, org.springframework.transaction.support.TransactionTemplate tx,
      String claim, String groupsClaim) {
    this.users = users;
    this.bindings = bindings;
    this.tx = tx;
    this.claim = claim;
    this.groupsClaim = groupsClaim;
  }

  /** What a user signed on with a token may do: its roles and bindings in Gantry, as with an API token. */
  List<GrantedAuthority> authorities(User user) {
    return List.copyOf(TokenAuthenticationFilter.authorities(user, bindings.of(user.name())));
  }

  /**
   * The groups a token names, as Gantry names groups: lower-cased, without a leading '/' (as some
   * providers write group paths); a name Gantry cannot hold (spaces, a path) is left out, as no
   * binding can name it. An absent claim names no group.
   */
  static List<String> groups(Jwt jwt, String claim) {
    return groups(jwt.getClaims(), claim);
  }

  /** The groups claims name, from an access token, an ID token or the provider's userinfo alike. */
  static List<String> groups(java.util.Map<String, Object> claims, String claim) {
    Object value = claims.get(claim);
    List<?> all = value instanceof Collection<?> c ? List.copyOf(c) : value == null ? List.of() : List.of(value);
    return all.stream().filter(String.class::isInstance).map(g -> ((String) g).strip().toLowerCase(java.util.Locale.ROOT))
        .map(g -> g.startsWith("/") ? g.substring(1) : g).filter(g -> GROUP.matcher(g).matches()).distinct()
        .sorted().toList();
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
    if (groupsClaim != null) {
      List<String> groups = groups(jwt, groupsClaim);
      tx.executeWithoutResult(status -> users.setGroups(user.name(), groups, PROVIDER));
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
