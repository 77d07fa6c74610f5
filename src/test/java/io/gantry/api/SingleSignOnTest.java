package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AdminToken;
import io.gantry.testing.OidcProvider;
import io.gantry.testing.OidcProvider.Grant;
import io.gantry.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Single sign-on over real HTTP: a real OpenID Connect provider (Spring Authorization Server on its own
 * port) issues JWT access tokens through its token endpoint, and Gantry, told to trust it, lets each act
 * as the Gantry user it names, with that user's roles, and refuses every other saying why.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SingleSignOnTest {

  static OidcProvider provider;

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  String admin;
  SignOnApi api;

  @DynamicPropertySource
  static void singleSignOn(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
    provider = OidcProvider.start();
    registry.add("gantry.oidc.issuer-uri", provider::issuer);
    registry.add("gantry.oidc.audience", () -> OidcProvider.AUDIENCE);
    registry.add("gantry.oidc.groups-claim", () -> "groups");
  }

  @AfterAll
  static void stopTheProvider() {
    provider.close();
  }

  @BeforeEach
  void readTheFirstAdministratorsToken() {
    admin = AdminToken.of(dataDir);
    api = new SignOnApi(port, admin);
  }

  @Test
  void the_api_document_names_the_identity_provider_beside_api_tokens_and_still_lints_clean() throws Exception {
    SignOnApi.Response served = api.get("/openapi", admin);
    JsonNode document = served.json();

    assertThat(document.at("/components/securitySchemes/identityProvider/type").asString()).isEqualTo("openIdConnect");
    assertThat(document.at("/components/securitySchemes/identityProvider/openIdConnectUrl").asString())
        .isEqualTo(provider.issuer().replaceFirst("/+$", "") + "/.well-known/openid-configuration");
    assertThat(document.at("/security/0/apiToken").isArray()).isTrue();
    assertThat(document.at("/security/1/identityProvider").isArray()).isTrue();
    assertThat(document.at("/paths/~1api~1v1~1environments/get/responses/503/$ref").asString())
        .isEqualTo("#/components/responses/ServiceUnavailable");
    // /health reaches no database: its 503 is its own answer while the server starts, not the database's
    assertThat(document.at("/paths/~1api~1v1~1health/get/responses/503/$ref").isMissingNode()).isTrue();
    assertThat(document.at("/paths/~1api~1v1~1health/get/responses/503/description").asString()).contains("STARTING");

    Path file = java.nio.file.Files.createDirectories(Path.of("target/openapi")).resolve("served-with-sso.json");
    java.nio.file.Files.writeString(file, served.text());
    OpenApiDocumentTest.Run lint = OpenApiDocumentTest.run(List.of(OpenApiDocumentTest.redocly().toString(), "lint",
        file.toString(), "--extends=recommended", "--format=stylish"));
    assertThat(lint.exit()).as(lint.output()).isZero();
    assertThat(lint.output()).as(lint.output()).contains("Your API description is valid")
        .doesNotContainPattern("You have \\d+ warnings?");
  }

  @Test
  void the_groups_the_provider_names_at_sign_in_bring_the_roles_bound_to_them_and_leaving_one_withdraws_them()
      throws Exception {
    SignOnApi.Response applied = api.post("/api/v1/config/apply", admin, Map.of("reason", "groups", "files",
        List.of(Map.of("name", "env.yaml", "content", """
            apiVersion: gantry.io/v1
            kind: Environment
            metadata: {name: sso-env}
            spec: {purpose: test, owner: qa}
            """))));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    String group = "release-team-" + SignOnApi.suffix();
    assertThat(api.post("/api/v1/role-bindings", admin, Map.of("group", group, "role", "deployment-practitioner",
        "environment", "sso-env")).status()).isEqualTo(201);
    String person = api.newUser();

    String member = provider.token(Grant.of(person).inGroups(group.toUpperCase(), "/Other Group", "/" + group));
    SignOnApi.Response me = api.get("/api/v1/users/me", member);
    assertThat(me.json().path("groups")).extracting(JsonNode::asString).containsExactly(group);
    assertThat(me.json().path("bindings").get(0).path("group").asString()).isEqualTo(group);
    assertThat(api.get("/api/v1/environments/sso-env", member).status()).isEqualTo(200);

    String left = provider.token(Grant.of(person).inGroups("someone-else"));
    assertThat(api.get("/api/v1/environments/sso-env", left).status()).isEqualTo(403);
    assertThat(api.get("/api/v1/users/me", left).json().path("groups")).extracting(JsonNode::asString)
        .containsExactly("someone-else");
    assertThat(api.get("/api/v1/identity-events?user=" + person, admin).json().path("items").valueStream()
        .filter(e -> e.path("action").asString().equals("groups-changed"))
        .map(e -> e.path("actor").asString()).toList()).containsExactly("identity-provider", "identity-provider");
  }

  @Test
  void a_token_from_the_identity_provider_acts_as_the_gantry_user_it_names() throws Exception {
    String manager = api.newUser("deployment-manager");
    String token = provider.token(Grant.of(manager));

    SignOnApi.Response me = api.get("/api/v1/users/me", token);
    assertThat(me.status()).as(me.text()).isEqualTo(200);
    assertThat(me.json().path("name").asString()).isEqualTo(manager);
    assertThat(me.json().path("roles")).extracting(JsonNode::asString).containsExactly("deployment-manager");
    assertThat(api.get("/api/v1/users", token).status()).isEqualTo(200);

    String made = "made-by-sso-" + SignOnApi.suffix();
    SignOnApi.Response created = api.post("/api/v1/users", token, Map.of("name", made, "roles", List.of("auditor")));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().path("createdBy").asString()).isEqualTo(manager);
    SignOnApi.Response events = api.get("/api/v1/identity-events?user=" + made, admin);
    assertThat(events.text()).as("the history names the signed-on user as actor").contains("\"" + manager + "\"");
  }

  @Test
  void a_token_a_person_got_by_logging_in_at_the_provider_with_pkce_acts_as_that_person() throws Exception {
    String practitioner = api.newUser("deployment-practitioner");
    provider.person(practitioner, "correct horse battery staple");
    String token = provider.tokenThroughLogin(practitioner, "correct horse battery staple");

    SignOnApi.Response me = api.get("/api/v1/users/me", token);

    assertThat(me.status()).as(me.text()).isEqualTo(200);
    assertThat(me.json().path("name").asString()).isEqualTo(practitioner);
    assertThat(me.json().path("roles")).extracting(JsonNode::asString).containsExactly("deployment-practitioner");
  }

  @Test
  void the_server_names_the_identity_provider_it_trusts_in_its_protected_resource_metadata() throws Exception {
    HttpResponse<String> metadata = SignOnApi.HTTP.send(HttpRequest.newBuilder(
        api.uri("/.well-known/oauth-protected-resource")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
    assertThat(SignOnApi.JSON.readTree(metadata.body()).path("authorization_servers"))
        .extracting(JsonNode::asString).containsExactly(provider.issuer());
  }

  @Test
  void a_signed_on_user_cannot_make_an_api_token_that_would_outlive_the_providers_say() throws Exception {
    String manager = api.newUser("deployment-manager");
    String token = provider.token(Grant.of(manager));

    SignOnApi.Response issued = api.post("/api/v1/tokens", token, Map.of("name", "lasting"));

    assertThat(issued.status()).as(issued.text()).isEqualTo(403);
    assertThat(issued.json().path("detail").asString()).contains("not with an access token from the identity provider");
    assertThat(api.get("/api/v1/tokens?user=" + manager, admin).text()).contains("\"first\"").doesNotContain("lasting");
  }

  @Test
  void a_signed_on_auditor_keeps_the_auditors_limits() throws Exception {
    String auditor = api.newUser("auditor");
    String token = provider.token(Grant.of(auditor));

    assertThat(api.get("/api/v1/users", token).status()).isEqualTo(200);
    String refused = "not-by-an-auditor-" + SignOnApi.suffix();
    SignOnApi.Response write = api.post("/api/v1/users", token, Map.of("name", refused, "roles", List.of("auditor")));

    assertThat(write.status()).as(write.text()).isEqualTo(403);
    assertThat(write.json().path("title").asString()).isEqualTo("Forbidden");
    assertThat(api.userNames()).contains(auditor).doesNotContain(refused);
  }

  @Test
  void an_expired_token_is_refused_saying_when_it_expired() throws Exception {
    String token = provider.token(Grant.of(api.newUser("auditor")).expiredAnHourAgo());

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token), "the token expired at ");
  }

  @Test
  void a_token_for_another_application_is_refused_naming_its_audience_and_ours() throws Exception {
    String token = provider.token(Grant.of(api.newUser("auditor")).forAudience("billing-api"));

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token), "the token's audience [billing-api] does not contain gantry-api");
  }

  @Test
  void a_token_signed_with_a_key_the_provider_never_published_is_refused() throws Exception {
    String token = provider.signedWithAnotherKey(api.newUser("deployment-manager"));

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token), "the token's signature does not verify with the keys of the "
        + "identity provider " + provider.issuer());
  }

  @Test
  void a_token_claiming_another_issuer_is_refused_even_when_signed_by_the_trusted_provider() throws Exception {
    String token = provider.token(Grant.of(api.newUser("deployment-manager")).claimingIssuer("https://idp.example.com"));

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token), "the token was issued by https://idp.example.com, not by "
        + provider.issuer());
  }

  @Test
  void a_token_naming_no_gantry_user_is_refused_naming_the_claim_and_no_user_is_made() throws Exception {
    String stranger = "stranger-" + SignOnApi.suffix();
    String token = provider.token(Grant.of(stranger));

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token),
        "the token's preferred_username claim names \"" + stranger + "\", who is not a Gantry user");
    assertThat(api.userNames()).isNotEmpty().doesNotContain(stranger);
  }

  @Test
  void a_disabled_users_token_is_refused_and_accepted_again_once_the_user_is_enabled() throws Exception {
    String user = api.newUser("service-owner");
    String token = provider.token(Grant.of(user));
    assertThat(api.patch("/api/v1/users/" + user, admin, Map.of("disabled", true)).status()).isEqualTo(200);

    SignOnApi.assertRefused(api.get("/api/v1/users/me", token), "the user \"" + user + "\" of this token is disabled");

    assertThat(api.patch("/api/v1/users/" + user, admin, Map.of("disabled", false)).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/users/me", token).status()).isEqualTo(200);
  }

  @Test
  void a_bearer_token_that_is_no_jwt_is_refused_saying_what_is_taken() throws Exception {
    SignOnApi.assertRefused(api.get("/api/v1/users/me", "not-a-token"), "neither a Gantry API token (gty_...) nor a JWT");
  }

  @Test
  void gantry_api_tokens_and_enrolment_codes_work_as_before_beside_single_sign_on() throws Exception {
    api.newUser("auditor"); // signs on with an enrolment code (gte_), then with the token it made with it (gty_)

    assertThat(api.get("/api/v1/users/me", admin).json().path("name").asString()).isEqualTo("admin");
    SignOnApi.assertRefused(api.get("/api/v1/users/me", "gty_nonsense"), "the API token is not known");
    HttpResponse<String> none = SignOnApi.HTTP.send(HttpRequest.newBuilder(api.uri("/api/v1/users/me")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("this call needs an API token");
  }
}
