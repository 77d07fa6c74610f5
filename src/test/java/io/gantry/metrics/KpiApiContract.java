package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * KPI targets, evaluations, the alignment survey and external audit findings over real HTTP: who may set, evaluate
 * and record, and what a refusal names; run on H2 and PostgreSQL by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class KpiApiContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-kpi-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
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

  /**
   * A new user holding {@code role} everywhere (none when null), and, when {@code testManager}, bound to the
   * deployment manager's role in environment test.
   */
  private String user(String role, boolean testManager) throws Exception {
    String name = "u-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", admin, Map.of("name", name, "roles", role == null ? List.of() : List.of(role))).json()
        .path("enrolment").path("code").asString();
    if (testManager) {
      Response bound = post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "deployment-manager",
          "environment", "test"));
      assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    }
    return post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
  }

  @Test
  void only_deployment_managers_of_a_scope_set_its_targets_and_only_those_of_everywhere_evaluate() throws Exception {
    String practitioner = user("deployment-practitioner", false);
    String testManager = user(null, true);
    String auditor = user("auditor", false);

    assertThat(put("/api/v1/kpi-targets", practitioner, target("failures", "production", "at-most", 2)).status())
        .isEqualTo(403);
    assertThat(put("/api/v1/kpi-targets", testManager, target("failures", "production", "at-most", 2)).status())
        .isEqualTo(403);
    assertThat(put("/api/v1/kpi-targets", testManager, target("failures", null, "at-most", 2)).status())
        .isEqualTo(403);
    Response set = put("/api/v1/kpi-targets", testManager, target("failures", "test", "at-most", 3));
    assertThat(set.status()).as(set.text()).isEqualTo(200);
    assertThat(set.json().path("setBy").asString()).isNotBlank();

    Response unknown = put("/api/v1/kpi-targets", admin, target("happiness", null, "at-least", 3));
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().path("errors").get(0).path("field").asString()).isEqualTo("kpi");
    Response over = put("/api/v1/kpi-targets", admin, target("deployment-success-percent", "production", "at-least",
        150));
    assertThat(over.status()).isEqualTo(422);
    assertThat(over.json().path("errors").get(0).path("field").asString()).isEqualTo("value");
    assertThat(put("/api/v1/kpi-targets", admin, target("deployment-success-percent", "production", "at-least", 95))
        .status()).isEqualTo(200);

    // the manager of test sees its own target only; an insider everywhere sees both
    assertThat(get("/api/v1/kpi-targets", testManager).json()).extracting(t -> t.path("environment").asString())
        .containsExactly("test");
    assertThat(get("/api/v1/kpi-targets", practitioner).json()).hasSize(2);
    String supplier = user("supplier", false);
    assertThat(get("/api/v1/kpi-targets", supplier).status()).isEqualTo(403);

    Map<String, String> period = Map.of("from", "2026-06-01", "to", "2026-06-30");
    assertThat(post("/api/v1/kpi-evaluations", testManager, period).status()).isEqualTo(403);
    assertThat(post("/api/v1/kpi-evaluations", auditor, period).status()).isEqualTo(403);
    Response evaluated = post("/api/v1/kpi-evaluations", admin, period);
    assertThat(evaluated.status()).as(evaluated.text()).isEqualTo(201);
    long id = evaluated.json().path("id").asLong();
    JsonNode seenByTest = get("/api/v1/kpi-evaluations/" + id, testManager).json();
    assertThat(seenByTest.path("results")).extracting(r -> r.path("environment").asString())
        .containsExactly("test");
    assertThat(get("/api/v1/kpi-evaluations?from=2026-06-01&to=2026-06-30", auditor).json().get(0)
        .path("results")).hasSize(2);
    assertThat(get("/api/v1/kpi-evaluations/" + id, supplier).status()).isEqualTo(403);

    assertThat(delete("/api/v1/kpi-targets?kpi=deployment-success-percent&environment=production", testManager)
        .status()).isEqualTo(403);
    assertThat(delete("/api/v1/kpi-targets?kpi=failures&environment=test", testManager).status()).isEqualTo(200);
  }

  @Test
  void users_answer_the_survey_and_only_auditors_and_managers_record_external_findings() throws Exception {
    String practitioner = user("deployment-practitioner", false);
    String auditor = user("auditor", false);

    Response answered = put("/api/v1/alignment-survey/2026-05/answer", practitioner,
        Map.of("informed", 4, "needsMet", 3, "paceFits", 5));
    assertThat(answered.status()).as(answered.text()).isEqualTo(200);
    Response bad = put("/api/v1/alignment-survey/2026-05/answer", practitioner,
        Map.of("informed", 9, "needsMet", 3, "paceFits", 5));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().path("errors").get(0).path("field").asString()).isEqualTo("informed");
    assertThat(get("/api/v1/alignment-survey/2026-05/answer", practitioner).json().path("informed").asInt())
        .isEqualTo(4);

    Map<String, Object> finding = Map.of("source", "external audit 2026 Q2", "severity", "high",
        "description", "no rollback test", "foundOn", "2026-05-20");
    assertThat(post("/api/v1/audit-findings/external", practitioner, finding).status()).isEqualTo(403);
    Response recorded = post("/api/v1/audit-findings/external", auditor, finding);
    assertThat(recorded.status()).as(recorded.text()).isEqualTo(201);
    JsonNode all = get("/api/v1/audit-findings?from=2026-05-01&to=2026-05-31", practitioner).json();
    assertThat(all.path("byOrigin").path("external").asLong()).isEqualTo(1);
  }

  private static Map<String, Object> target(String kpi, String environment, String comparison, double value) {
    Map<String, Object> body = new HashMap<>();
    body.put("kpi", kpi);
    body.put("environment", environment);
    body.put("comparison", comparison);
    body.put("value", value);
    return body;
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  Response get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET().header("Authorization", "Bearer " + token));
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  static Response send(HttpRequest.Builder builder) throws Exception {
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }

  Response put(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  Response delete(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).DELETE());
  }
}
