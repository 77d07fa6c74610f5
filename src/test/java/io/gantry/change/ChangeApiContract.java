package io.gantry.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The changes API over real HTTP, on a server started on a random port with the example configuration
 * (production: a change approved by 2 of deployment-manager / service-owner); run on H2 and PostgreSQL
 * by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "gantry.change.poller.enabled=false",
    "gantry.itsm.systems.snow.type=servicenow",
    "gantry.itsm.systems.snow.url=http://127.0.0.1:9",
    "gantry.itsm.systems.snow.token=secret",
    "gantry.itsm.systems.snow.callback-secret=" + ChangeApiContract.CALLBACK_SECRET})
@org.springframework.context.annotation.Import(ChangeApiContract.Clocks.class)
abstract class ChangeApiContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TestConfiguration
  static class Clocks {
    @Bean
    @Primary
    MutableClock testClock() {
      return new MutableClock(Clock.systemUTC().instant());
    }
  }

  /** Points the server at a new database of the kind and a new data directory. */
  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-change-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Value("${gantry.data-dir}") Path dataDir;

  String admin;

  @BeforeEach
  void applyExamples() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    List<Map<String, String>> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
    Response applied = post("/api/v1/config/apply", admin, Map.of("files", files, "reason", "test set-up"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  /** A new user with the roles and a token for them. */
  String user(String role) throws Exception {
    String name = role + "-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of(role)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    return post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
  }

  Map<String, Object> change(String type) {
    Instant now = clock.instant();
    Map<String, Object> body = new HashMap<>(Map.of("title", "shop release", "type", type, "risk", "medium",
        "impact", "low", "plannedStart", now.toString(), "plannedEnd", now.plus(Duration.ofHours(2)).toString(),
        "components", List.of("shop/web"), "environments", List.of("production"),
        "backoutPlan", "deploy the previous version"));
    return body;
  }

  long total() throws Exception {
    return get("/api/v1/changes", admin).json().path("total").asLong();
  }

  @Test
  void a_change_is_created_submitted_and_authorized_by_two_approvers_other_than_the_requester() throws Exception {
    String owner = user("service-owner");
    String manager = user("deployment-manager");

    Response created = post("/api/v1/changes", admin, change("normal"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String key = created.json().path("key").asString();
    assertThat(key).startsWith("CHG-");
    assertThat(created.json().path("state").asString()).isEqualTo("new");
    assertThat(created.json().path("approvalRules").get(0).path("count").asInt()).isEqualTo(2);

    assertThat(post("/api/v1/changes/" + key + "/approve", manager, Map.of()).status()).isEqualTo(409);
    assertThat(post("/api/v1/changes/" + key + "/submit", admin, Map.of()).json().path("change").path("state")
        .asString()).isEqualTo("assessed");
    Response own = post("/api/v1/changes/" + key + "/approve", admin, Map.of("reason", "mine"));
    assertThat(own.status()).isEqualTo(403);
    assertThat(own.contentType()).startsWith("application/problem+json");
    assertThat(own.json().path("detail").asString()).contains("separation of duties");
    assertThat(post("/api/v1/changes/" + key + "/approve", manager, Map.of("reason", "ok")).json()
        .path("approvalProgress").asString()).contains("1 of 2");
    JsonNode authorized = post("/api/v1/changes/" + key + "/approve", owner, Map.of()).json();

    assertThat(authorized.path("change").path("state").asString()).isEqualTo("authorized");
    JsonNode shown = get("/api/v1/changes/" + key, user("auditor")).json();
    assertThat(shown.path("approvals")).hasSize(2);
    assertThat(shown.path("history").valueStream().map(e -> e.path("to").asString("")).toList())
        .contains("new", "assessed", "authorized");
    assertThat(get("/api/v1/changes?state=authorized&environment=production", admin).json().path("items")
        .valueStream().map(c -> c.path("key").asString()).toList()).contains(key);
    assertThat(get("/api/v1/changes?environment=dev", admin).json().path("items").valueStream()
        .map(c -> c.path("key").asString()).toList()).doesNotContain(key);
  }

  @Test
  void refused_input_names_the_field_and_creates_nothing() throws Exception {
    long before = total();
    Map<String, Object> unknown = change("normal");
    unknown.put("environments", List.of("mars"));
    Map<String, Object> backwards = change("normal");
    backwards.put("plannedEnd", clock.instant().minusSeconds(60).toString());
    Map<String, Object> emergency = change("emergency");

    Response r1 = post("/api/v1/changes", admin, unknown);
    Response r2 = post("/api/v1/changes", admin, backwards);
    Response r3 = post("/api/v1/changes", admin, emergency);
    Response r4 = post("/api/v1/changes", user("auditor"), change("normal"));

    assertThat(r1.status()).isEqualTo(422);
    assertThat(r1.text()).contains("environments[0]").contains("\\\"mars\\\" does not exist");
    assertThat(r2.status()).isEqualTo(422);
    assertThat(r2.text()).contains("plannedEnd");
    assertThat(r3.status()).isEqualTo(422);
    assertThat(r3.text()).contains("emergencyReason");
    assertThat(r4.status()).isEqualTo(403);
    assertThat(total()).isEqualTo(before);
  }

  @Test
  void a_rejection_needs_a_reason_and_a_call_without_a_token_is_refused() throws Exception {
    String key = post("/api/v1/changes", admin, change("normal")).json().path("key").asString();
    post("/api/v1/changes/" + key + "/submit", admin, Map.of());
    String manager = user("deployment-manager");

    Response noReason = post("/api/v1/changes/" + key + "/reject", manager, Map.of());
    assertThat(noReason.status()).isEqualTo(422);
    assertThat(noReason.json().path("detail").asString()).contains("a rejection needs a reason");
    assertThat(get("/api/v1/changes/" + key, null).status()).isEqualTo(401);
    JsonNode rejected = post("/api/v1/changes/" + key + "/reject", manager, Map.of("reason", "too risky")).json();

    assertThat(rejected.path("change").path("state").asString()).isEqualTo("rejected");
    assertThat(rejected.path("change").path("outcome").asString()).endsWith(": too risky");
    assertThat(get("/api/v1/changes/CHG-0", admin).status()).isEqualTo(422);
    assertThat(get("/api/v1/changes/CHG-99999", admin).status()).isEqualTo(404);
  }

  static final String CALLBACK_SECRET = "shared-with-servicenow-0123456789abcdef";

  private Response callback(String key, String token, String body, String secret) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/changes/"
        + key + "/callback")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (secret != null) {
      request.header("X-Gantry-Signature", "sha256=" + java.util.HexFormat.of().formatHex(
          ItsmCallbacks.hmac(secret, body.getBytes(StandardCharsets.UTF_8))));
    }
    return send(auth(request, token));
  }

  @Test
  void an_itsm_callback_stating_a_value_is_taken_only_when_signed_for_the_changes_own_reference() throws Exception {
    Map<String, Object> body = change("normal");
    body.put("external", Map.of("system", "snow", "reference", "CHG0030001"));
    String key = post("/api/v1/changes", admin, body).json().path("key").asString();
    post("/api/v1/changes/" + key + "/submit", admin, Map.of());
    Map<String, Object> unknownSystem = change("normal");
    unknownSystem.put("external", Map.of("system", "remedy", "reference", "X"));
    Map<String, Object> injected = change("normal");
    injected.put("external", Map.of("system", "snow", "reference", "CHG0030001^ORnumberISNOTEMPTY"));
    String approved = "{\"reference\":\"CHG0030001\",\"state\":\"approved\"}";
    String desk = user("service-desk");

    assertThat(post("/api/v1/changes", admin, unknownSystem).text()).contains("external.system");
    Response refused = post("/api/v1/changes", admin, injected);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.text()).contains("external.reference", "CHG and seven or more digits");
    assertThat(post("/api/v1/changes/" + key + "/approve", user("deployment-manager"), Map.of()).json()
        .path("detail").asString()).contains("decided in snow (CHG0030001)");
    assertThat(callback(key, user("auditor"), approved, CALLBACK_SECRET).status()).isEqualTo(403);
    Response unsigned = callback(key, desk, approved, null);
    assertThat(unsigned.status()).isEqualTo(403);
    assertThat(unsigned.text()).contains("X-Gantry-Signature");
    assertThat(callback(key, desk, approved, "another-secret-of-at-least-32-characters").status()).isEqualTo(403);
    Response elsewhere = callback(key, desk, "{\"reference\":\"CHG0039999\",\"state\":\"approved\"}",
        CALLBACK_SECRET);
    assertThat(elsewhere.status()).isEqualTo(422);
    assertThat(elsewhere.text()).contains("stands for CHG0030001");
    Response nonsense = callback(key, admin, "{\"reference\":\"CHG0030001\",\"state\":\"maybe\"}", CALLBACK_SECRET);
    assertThat(nonsense.status()).isEqualTo(422);
    assertThat(get("/api/v1/changes/" + key, admin).json().path("change").path("state").asString())
        .as("nothing refused changed the change").isEqualTo("assessed");

    JsonNode called = callback(key, desk, approved, CALLBACK_SECRET).json();

    assertThat(called.path("change").path("state").asString()).isEqualTo("authorized");
    assertThat(called.path("change").path("external").path("state").asString()).isEqualTo("approved");
    String local = post("/api/v1/changes", admin, change("normal")).json().path("key").asString();
    assertThat(post("/api/v1/changes/" + local + "/callback", admin, Map.of()).status()).isEqualTo(409);
  }

  record Response(int status, String contentType, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response get(String path, String token) throws Exception {
    return send(auth(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET(), token));
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(auth(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token));
  }

  private static HttpRequest.Builder auth(HttpRequest.Builder builder, String token) {
    return token == null ? builder : builder.header("Authorization", "Bearer " + token);
  }

  static Response send(HttpRequest.Builder builder) throws Exception {
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }
}
