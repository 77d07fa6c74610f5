package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AdminToken;
import io.gantry.testing.OidcProvider;
import io.gantry.testing.OidcProvider.Grant;
import io.gantry.testing.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A server whose identity provider is down when it starts: it starts (the provider is first asked on the
 * first token), answers a token 503 saying the provider could not be reached, and takes tokens once the
 * provider answers, without a restart.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SingleSignOnProviderDownTest {

  static int providerPort;

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  @DynamicPropertySource
  static void singleSignOnToAProviderThatIsDown(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      providerPort = socket.getLocalPort();
    }
    registry.add("gantry.oidc.issuer-uri", () -> "http://127.0.0.1:" + providerPort);
    registry.add("gantry.oidc.audience", () -> OidcProvider.AUDIENCE);
    registry.add("gantry.oidc.console.client-id", () -> "gantry-console");
  }

  @Test
  void signing_in_to_the_console_with_the_provider_while_it_is_down_says_so_and_suggests_an_api_token()
      throws Exception {
    HttpResponse<String> started = SignOnApi.HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/oauth2/authorization/gantry")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(started.statusCode()).isEqualTo(401);
    assertThat(started.body()).contains("signing in with the identity provider failed: it could not be reached")
        .contains("sign in with an API token");
  }

  @Test
  void a_token_gets_503_while_the_identity_provider_is_down_and_is_taken_once_it_answers() throws Exception {
    SignOnApi api = new SignOnApi(port, AdminToken.of(dataDir));
    String manager = api.newUser("deployment-manager");
    String token;
    try (OidcProvider provider = OidcProvider.start()) {
      token = provider.token(Grant.of(manager)); // a real token from another provider: never checked here
    }

    SignOnApi.Response down = api.get("/api/v1/users/me", token);

    assertThat(down.status()).as(down.text()).isEqualTo(503);
    assertThat(down.json().path("title").asString()).isEqualTo("Identity provider unavailable");
    assertThat(down.json().path("detail").asString()).contains("the identity provider http://127.0.0.1:"
        + providerPort + " could not be reached to check the token");
    assertThat(api.get("/api/v1/users/me", api.admin()).status()).as("API tokens do not need the provider")
        .isEqualTo(200);

    try (OidcProvider provider = OidcProvider.start(providerPort)) {
      SignOnApi.Response up = api.get("/api/v1/users/me", provider.token(Grant.of(manager)));

      assertThat(up.status()).as(up.text()).isEqualTo(200);
      assertThat(up.json().path("name").asString()).isEqualTo(manager);
    }
  }
}
