package io.gantry.identity;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/**
 * The console's client at the identity provider, built from Gantry's settings and the provider's
 * metadata. The metadata is read when the first person signs in, not at start-up (the provider may be
 * down then), and read again at the next sign-in for as long as it could not be.
 */
final class ConsoleClientRegistration implements ClientRegistrationRepository {

  /** The registration's id, in the sign-in link and the redirect URI: {@code /login/oauth2/code/gantry}. */
  static final String ID = "gantry";

  private final SingleSignOn.Settings settings;
  private final SingleSignOn.Console console;
  private volatile ClientRegistration registration;

  ConsoleClientRegistration(SingleSignOn.Settings settings, SingleSignOn.Console console) {
    this.settings = settings;
    this.console = console;
  }

  @Override
  public ClientRegistration findByRegistrationId(String id) {
    if (!ID.equals(id)) {
      return null;
    }
    ClientRegistration known = registration;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (registration == null) {
        registration = ClientRegistrations.fromIssuerLocation(settings.issuer()).registrationId(ID)
            .clientId(console.clientId())
            .clientSecret(console.clientSecret())
            .clientAuthenticationMethod(console.clientSecret() == null ? ClientAuthenticationMethod.NONE
                : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
            .scope(console.scopes())
            // every ID token has a subject; the Gantry user is named by the username claim (ConsoleUsers)
            .userNameAttributeName("sub")
            .clientName(SingleSignOn.Console.providerName(settings))
            .build();
      }
      return registration;
    }
  }
}
