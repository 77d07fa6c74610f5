package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AdminToken;
import io.gantry.testing.OidcProvider;
import io.gantry.testing.OidcProvider.Grant;
import io.gantry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The command line with an access token from a real identity provider as its token (GANTRY_TOKEN),
 * against a real Gantry that trusts that provider: it acts as the user the token names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CliWithSingleSignOnTest {

  static OidcProvider provider;

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @TempDir Path dir;

  @DynamicPropertySource
  static void singleSignOn(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
    }
    Path data = Files.createTempDirectory("gantry-cli-sso-test");
    registry.add("gantry.data-dir", data::toString);
    provider = OidcProvider.start();
    registry.add("gantry.oidc.issuer-uri", provider::issuer);
    registry.add("gantry.oidc.audience", () -> OidcProvider.AUDIENCE);
  }

  @AfterAll
  static void stopTheProvider() {
    provider.close();
  }

  @Test
  void an_access_token_from_the_identity_provider_as_gantry_token_acts_as_the_user_it_names() throws Exception {
    CliRunner admin = cli("admin", AdminToken.of(dataDir));
    assertThat(admin.run("user", "create", "sso-manager", "--role", "deployment-manager").exitCode()).isZero();
    CliRunner signedOn = cli("signed-on", provider.token(Grant.of("sso-manager")));

    CliRunner.Result created = signedOn.run("user", "create", "made-by-sso", "--role", "auditor");

    assertThat(created.exitCode()).as(created.err()).isZero();
    CliRunner.Result users = signedOn.run("-o", "json", "user", "list");
    assertThat(users.exitCode()).as(users.err()).isZero();
    JsonNode made = ApiClient.JSON.readTree(users.out()).valueStream()
        .filter(u -> u.path("name").asString().equals("made-by-sso")).findFirst().orElseThrow();
    assertThat(made.path("createdBy").asString()).isEqualTo("sso-manager");

    CliRunner.Result expired = cli("expired", provider.token(Grant.of("sso-manager").expiredAnHourAgo()))
        .run("user", "list");
    assertThat(expired.exitCode()).isNotZero();
    assertThat(expired.err()).contains("the token expired at ").contains("The token from GANTRY_TOKEN was refused");
  }

  private CliRunner cli(String name, String token) {
    CliRunner cli = new CliRunner(dir.resolve(name)).server("http://127.0.0.1:" + port);
    cli.env.put("GANTRY_TOKEN", token);
    return cli;
  }
}
