package io.gantry.identity;

import java.util.List;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The Gantry user a person who signed in at the identity provider is: the one the username claim
 * names (from the ID token or the provider's userinfo, as for the API), which must exist and be
 * enabled; users are never made here. With a groups claim, the user's groups become those the provider
 * names, as at an API sign-in.
 */
final class ConsoleUsers implements OAuth2UserService<OidcUserRequest, OidcUser> {

  /** An error code of Gantry's own: its description is said to the person as it is. */
  static final String REFUSED = "gantry_refused";

  private final OidcUserService provider = new OidcUserService();
  private final Users users;
  private final TransactionTemplate tx;
  private final String claim;
  private final String groupsClaim;

  ConsoleUsers(Users users, TransactionTemplate tx, String claim, String groupsClaim) {
    this.users = users;
    this.tx = tx;
    this.claim = claim;
    this.groupsClaim = groupsClaim;
  }

  @Override
  public OidcUser loadUser(OidcUserRequest request) {
    OidcUser person = provider.loadUser(request);
    Object named = person.getClaims().get(claim);
    if (!(named instanceof String name) || name.isBlank()) {
      throw refused("the identity provider named no Gantry user: its answer has no " + claim + " claim "
          + "(gantry.oidc.username-claim); ask a deployment manager");
    }
    User user = users.find(name).orElse(null);
    if (user == null) {
      throw refused("the user " + name + " is not known to Gantry; ask a deployment manager");
    }
    if (user.disabled()) {
      throw refused("the user " + name + " is disabled in Gantry; ask a deployment manager");
    }
    if (groupsClaim != null) {
      List<String> groups = JwtUsers.groups(person.getClaims(), groupsClaim);
      tx.executeWithoutResult(status -> users.setGroups(user.name(), groups, JwtUsers.PROVIDER));
    }
    return new SignedIn(user.name(), person);
  }

  private static OAuth2AuthenticationException refused(String reason) {
    return new OAuth2AuthenticationException(new OAuth2Error(REFUSED, reason, null), reason);
  }

  /** A person signed in at the provider, named as its Gantry user. */
  static final class SignedIn extends DefaultOidcUser {

    private final String user;

    SignedIn(String user, OidcUser person) {
      super(person.getAuthorities(), person.getIdToken(), person.getUserInfo(), "sub");
      this.user = user;
    }

    @Override
    public String getName() {
      return user;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof SignedIn that && user.equals(that.user) && super.equals(other);
    }

    @Override
    public int hashCode() {
      return user.hashCode();
    }
  }
}
