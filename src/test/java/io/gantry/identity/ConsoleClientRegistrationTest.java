package io.gantry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.testing.OidcProvider;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/** The console's client registration, from Gantry's settings and a real provider's metadata. */
class ConsoleClientRegistrationTest {

  @Test
  void the_providers_metadata_is_read_at_the_first_sign_in_and_read_again_while_it_could_not_be() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    var settings = new SingleSignOn.Settings("http://127.0.0.1:" + port, "gantry-api", "preferred_username", null);
    var registrations = new ConsoleClientRegistration(settings, new SingleSignOn.Console("gantry-console", null,
        SingleSignOn.Console.DEFAULT_SCOPES));

    assertThat(registrations.findByRegistrationId("other")).isNull();
    assertThatThrownBy(() -> registrations.findByRegistrationId("gantry")).isInstanceOf(RuntimeException.class);

    try (OidcProvider provider = OidcProvider.start(port)) {
      ClientRegistration client = registrations.findByRegistrationId("gantry");

      assertThat(client.getClientId()).isEqualTo("gantry-console");
      assertThat(client.getClientAuthenticationMethod()).as("a public client: PKCE alone")
          .isEqualTo(ClientAuthenticationMethod.NONE);
      assertThat(client.getAuthorizationGrantType()).isEqualTo(AuthorizationGrantType.AUTHORIZATION_CODE);
      assertThat(client.getRedirectUri()).isEqualTo("{baseUrl}/login/oauth2/code/{registrationId}");
      assertThat(client.getScopes()).containsExactlyInAnyOrder("openid", "profile");
      assertThat(client.getProviderDetails().getAuthorizationUri()).isEqualTo(provider.issuer() + "/oauth2/authorize");
      assertThat(client.getProviderDetails().getJwkSetUri()).startsWith(provider.issuer());
      assertThat(registrations.findByRegistrationId("gantry")).isSameAs(client);
    }
  }

  @Test
  void a_client_with_a_secret_authenticates_at_the_token_endpoint_with_it() throws Exception {
    try (OidcProvider provider = OidcProvider.start()) {
      var settings = new SingleSignOn.Settings(provider.issuer(), "gantry-api", "preferred_username", null);
      ClientRegistration client = new ConsoleClientRegistration(settings, new SingleSignOn.Console("gantry-console",
          "s3cret", List.of("openid", "profile", "groups"))).findByRegistrationId("gantry");

      assertThat(client.getClientSecret()).isEqualTo("s3cret");
      assertThat(client.getClientAuthenticationMethod()).isEqualTo(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
      assertThat(client.getScopes()).containsExactlyInAnyOrder("openid", "profile", "groups");
    }
  }
}
