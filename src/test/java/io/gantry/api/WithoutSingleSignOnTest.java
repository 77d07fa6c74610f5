package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AdminToken;
import io.gantry.testing.OidcProvider;
import io.gantry.testing.OidcProvider.Grant;
import io.gantry.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A server without single sign-on refuses a provider's token saying it takes only Gantry API tokens. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WithoutSingleSignOnTest {

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @Test
  void a_token_from_an_identity_provider_is_refused_saying_single_sign_on_is_not_configured() throws Exception {
    SignOnApi api = new SignOnApi(port, AdminToken.of(dataDir));
    String manager = api.newUser("deployment-manager");
    String token;
    try (OidcProvider provider = OidcProvider.start()) {
      token = provider.token(Grant.of(manager));
    }

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token), "this server takes only Gantry API tokens (gty_...): "
        + "single sign-on is not configured");
    SignOnApi.assertRefused(api.get("/api/v1/users/me", "gty_nonsense"), "the API token is not known");
    assertThat(api.get("/api/v1/users/me", api.admin()).json().path("name").asString()).isEqualTo("admin");
    assertThat(SignOnApi.HTTP.send(HttpRequest.newBuilder(api.uri("/.well-known/oauth-protected-resource")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).as("no resource server metadata without single sign-on")
        .isEqualTo(401);
  }

  @Test
  void the_consoles_sign_in_page_offers_only_the_api_token_and_no_provider_sign_in_is_served() throws Exception {
    SignOnApi api = new SignOnApi(port, AdminToken.of(dataDir));
    HttpResponse<String> page = SignOnApi.HTTP.send(HttpRequest.newBuilder(api.uri("/sign-in")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("name=\"token\"").doesNotContain("sign-in-with-provider")
        .doesNotContain("/oauth2/authorization/");
    assertThat(SignOnApi.HTTP.send(HttpRequest.newBuilder(api.uri("/oauth2/authorization/gantry")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }
}
