package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AdminToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Users' and tokens' lifecycle over real HTTP, on a server of its own (its first administrator's
 * token file is still there when the class starts); run on H2 and on PostgreSQL by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class IdentityApiContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  String admin;

  @BeforeEach
  void readTheFirstAdministratorsToken() {
    admin = AdminToken.of(dataDir);
  }

  @Test
  void a_deployment_manager_cannot_issue_a_token_in_another_users_name() throws Exception {
    String bob = newUser("auditor").name;
    String before = get("/api/v1/tokens?user=" + bob, admin).text();

    Response r = post("/api/v1/tokens", admin, Map.of("name", "as-bob", "user", bob));

    assertThat(r.status()).as(r.text()).isEqualTo(403);
    assertThat(r.json().path("detail").asString()).contains("issued only to its own user").contains(bob);
    assertThat(get("/api/v1/tokens?user=" + bob, admin).text()).isEqualTo(before).doesNotContain("as-bob");

    Response enrolAgain = post("/api/v1/users/" + bob + "/enrolment", admin, Map.of());
    assertThat(enrolAgain.status()).as("an enrolment code would let the manager act as bob").isEqualTo(409);
    assertThat(enrolAgain.json().path("detail").asString()).contains("holds live API tokens");
    assertThat(get("/api/v1/tokens?user=" + bob, admin).text()).isEqualTo(before);
  }

  @Test
  void a_token_made_with_a_token_is_revoked_with_it_and_so_are_the_ones_made_with_that() throws Exception {
    NewUser bob = newUser("deployment-practitioner");
    JsonNode first = post("/api/v1/tokens", bob.token, Map.of("name", "second")).json();
    String second = first.path("token").asString();
    JsonNode third = post("/api/v1/tokens", second, Map.of("name", "third")).json();
    assertThat(third.path("issuedByToken").asLong()).isEqualTo(first.path("id").asLong());
    String unrelated = post("/api/v1/tokens", bob.token, Map.of("name", "unrelated")).json().path("token").asString();

    Response revoked = delete("/api/v1/tokens/" + first.path("id").asLong(), admin);

    assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
    assertThat(revoked.json().path("revoked")).extracting(t -> t.path("id").asLong())
        .containsExactly(first.path("id").asLong(), third.path("id").asLong());
    Response refused = get("/api/v1/users/me", third.path("token").asString());
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().path("detail").asString()).contains("revoked with token " + first.path("id").asLong());
    assertThat(get("/api/v1/users/me", second).status()).isEqualTo(401);
    assertThat(get("/api/v1/users/me", unrelated).status()).isEqualTo(200);
    assertThat(get("/api/v1/users/me", bob.token).status()).isEqualTo(200);
  }

  @Test
  void a_token_cannot_outlive_the_token_that_made_it_nor_the_configured_maximum() throws Exception {
    NewUser bob = newUser("auditor");
    JsonNode shortLived = post("/api/v1/tokens", bob.token, Map.of("name", "short", "expiresInDays", 5)).json();
    String token = shortLived.path("token").asString();

    Response longer = post("/api/v1/tokens", token, Map.of("name", "longer", "expiresInDays", 30));
    assertThat(longer.status()).as(longer.text()).isEqualTo(422);
    assertThat(longer.json().path("errors").get(0).path("field").asString()).isEqualTo("expiresInDays");
    assertThat(longer.json().path("detail").asString()).contains("cannot outlive");

    JsonNode byDefault = post("/api/v1/tokens", token, Map.of("name", "default")).json();
    assertThat(Instant.parse(byDefault.path("expiresAt").asString()))
        .isEqualTo(Instant.parse(shortLived.path("expiresAt").asString()));

    Response beyondMaximum = post("/api/v1/tokens", bob.token, Map.of("name", "forever", "expiresInDays", 366));
    assertThat(beyondMaximum.status()).isEqualTo(422);
    assertThat(beyondMaximum.json().path("detail").asString()).contains("gantry.tokens.max-days");
  }

  @Test
  void a_disabled_users_tokens_are_refused_at_once_and_accepted_again_when_it_is_enabled() throws Exception {
    NewUser bob = newUser("service-owner");
    assertThat(get("/api/v1/users/me", bob.token).status()).isEqualTo(200);

    Response disabled = patch("/api/v1/users/" + bob.name, admin, Map.of("disabled", true));
    assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
    assertThat(disabled.json().path("disabled").asBoolean()).isTrue();

    Response refused = get("/api/v1/services", bob.token);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().path("detail").asString()).contains("\"" + bob.name + "\"").contains("disabled");

    assertThat(patch("/api/v1/users/" + bob.name, admin, Map.of("disabled", false)).status()).isEqualTo(200);
    assertThat(get("/api/v1/services", bob.token).status()).isEqualTo(200);
  }

  @Test
  void roles_are_changed_by_deployment_managers_only_and_unknown_roles_and_fields_are_refused_naming_them()
      throws Exception {
    NewUser bob = newUser("auditor");

    Response changed = patch("/api/v1/users/" + bob.name, admin, Map.of("roles", List.of("auditor", "supplier")));
    assertThat(changed.status()).as(changed.text()).isEqualTo(200);
    assertThat(get("/api/v1/users/me", bob.token).json().path("roles")).extracting(JsonNode::asString)
        .containsExactlyInAnyOrder("auditor", "supplier");

    Response unknownRole = patch("/api/v1/users/" + bob.name, admin, Map.of("roles", List.of("root")));
    assertThat(unknownRole.status()).isEqualTo(422);
    assertThat(unknownRole.json().path("errors").get(0).path("field").asString()).isEqualTo("roles");
    Response unknownField = patch("/api/v1/users/" + bob.name, admin, Map.of("superuser", true));
    assertThat(unknownField.status()).isEqualTo(422);
    assertThat(unknownField.json().path("errors").get(0).path("field").asString()).isEqualTo("superuser");
    Response wrongType = patch("/api/v1/users/" + bob.name, admin, Map.of("disabled", "yes"));
    assertThat(wrongType.status()).isEqualTo(422);
    assertThat(wrongType.json().path("errors").get(0).path("field").asString()).isEqualTo("disabled");
    assertThat(patch("/api/v1/users/" + bob.name, admin, Map.of()).status()).isEqualTo(422);
    assertThat(patch("/api/v1/users/" + bob.name, bob.token, Map.of("roles", List.of("deployment-manager")))
        .status()).isEqualTo(403);
    Response unknownOnCreate = post("/api/v1/users", admin, Map.of("name", "x-" + suffix(), "roles",
        List.of("auditor"), "password", "secret"));
    assertThat(unknownOnCreate.status()).isEqualTo(422);
    assertThat(unknownOnCreate.json().path("errors").get(0).path("field").asString()).isEqualTo("password");

    assertThat(get("/api/v1/users/me", bob.token).json().path("roles")).extracting(JsonNode::asString)
        .containsExactlyInAnyOrder("auditor", "supplier");
  }

  @Test
  void the_last_enabled_deployment_manager_cannot_be_disabled_nor_lose_the_role() throws Exception {
    for (JsonNode user : get("/api/v1/users?size=500", admin).json().path("items")) {
      boolean manager = user.path("roles").toString().contains("deployment-manager");
      if (manager && !user.path("disabled").asBoolean() && !user.path("name").asString().equals("admin")) {
        assertThat(patch("/api/v1/users/" + user.path("name").asString(), admin, Map.of("disabled", true)).status())
            .isEqualTo(200);
      }
    }

    Response disable = patch("/api/v1/users/admin", admin, Map.of("disabled", true));
    assertThat(disable.status()).as(disable.text()).isEqualTo(409);
    assertThat(disable.json().path("detail").asString()).contains("last enabled deployment manager");
    assertThat(patch("/api/v1/users/admin", admin, Map.of("roles", List.of("auditor"))).status()).isEqualTo(409);
    assertThat(get("/api/v1/users/me", admin).json().path("roles").toString()).contains("deployment-manager");
  }

  @Test
  void an_enrolment_code_does_nothing_but_create_its_users_own_token_once() throws Exception {
    String name = "carol-" + suffix();
    String code = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of("auditor"))).json()
        .path("enrolment").path("code").asString();

    Response read = get("/api/v1/users/me", code);
    assertThat(read.status()).isEqualTo(401);
    assertThat(read.json().path("detail").asString()).contains("enrolment code");

    Response made = post("/api/v1/tokens", code, Map.of("name", "laptop"));
    assertThat(made.status()).as(made.text()).isEqualTo(201);
    assertThat(made.json().path("user").asString()).isEqualTo(name);
    Response again = post("/api/v1/tokens", code, Map.of("name", "twice"));
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.json().path("detail").asString()).contains("used");
  }

  @Test
  void the_history_records_who_did_what_and_is_read_by_managers_and_auditors_only() throws Exception {
    NewUser bob = newUser("supplier");
    patch("/api/v1/users/" + bob.name, admin, Map.of("roles", List.of("supplier", "service-desk")));
    patch("/api/v1/users/" + bob.name, admin, Map.of("disabled", true));
    patch("/api/v1/users/" + bob.name, admin, Map.of("disabled", false));
    long made = post("/api/v1/tokens", bob.token, Map.of("name", "ci")).json().path("id").asLong();
    delete("/api/v1/tokens/" + made, bob.token);
    NewUser auditor = newUser("auditor");

    Response events = get("/api/v1/identity-events?user=" + bob.name, auditor.token);

    assertThat(events.status()).as(events.text()).isEqualTo(200);
    List<String> lines = new ArrayList<>();
    for (JsonNode e : events.json().path("items")) {
      lines.add(e.path("actor").asString() + " " + e.path("action").asString());
    }
    assertThat(lines).containsExactly("admin user-created", "admin enrolment-issued", bob.name + " token-issued",
        "admin roles-changed", "admin user-disabled", "admin user-enabled",
        bob.name + " token-issued", bob.name + " token-revoked");
    JsonNode rolesChanged = events.json().path("items").get(3);
    assertThat(rolesChanged.path("detail").asString()).contains("granted service-desk");
    assertThat(rolesChanged.path("actorToken").isNumber()).isTrue();
    assertThat(get("/api/v1/identity-events", bob.token).status()).isEqualTo(403);
  }

  @Test
  void the_first_administrators_token_file_is_its_owners_only_and_goes_once_it_has_a_token_of_its_own()
      throws Exception {
    Path file = dataDir.resolve("admin.token");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    NewUser manager = newUser("deployment-manager");
    assertThat(delete("/api/v1/admin-token-file", manager.token).status()).isEqualTo(403);
    assertThat(post("/api/v1/tokens", manager.token, Map.of("name", "mine")).json()
        .path("adminTokenFileRemoved").asBoolean()).isFalse();
    assertThat(file).exists();

    Response own = post("/api/v1/tokens", admin, Map.of("name", "admin-laptop"));

    assertThat(own.json().path("adminTokenFileRemoved").asBoolean()).isTrue();
    assertThat(file).doesNotExist();
    assertThat(get("/api/v1/users/me", admin).status()).as("the token itself stays valid").isEqualTo(200);
    assertThat(delete("/api/v1/admin-token-file", admin).status()).isEqualTo(404);
    assertThat(get("/api/v1/identity-events?user=admin", admin).text()).contains("admin-token-file-removed");
  }

  // --- helpers

  record NewUser(String name, String token) {}

  /** A user made by the first administrator, with the token it made itself with its enrolment code. */
  NewUser newUser(String role) throws Exception {
    String name = role + "-" + suffix();
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of(role)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    Response token = post("/api/v1/tokens", code, Map.of("name", "first"));
    assertThat(token.status()).as(token.text()).isEqualTo(201);
    return new NewUser(name, token.json().path("token").asString());
  }

  static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  Response delete(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).DELETE(), token);
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  Response patch(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static Response send(HttpRequest.Builder builder, String token) throws Exception {
    builder.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }
}
