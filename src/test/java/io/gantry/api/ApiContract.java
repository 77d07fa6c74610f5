package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.server.PathContainer;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPatternParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API over real HTTP, on a server started on a random port; run on H2 and on PostgreSQL by
 * the subclasses. Each test starts from the example configuration applied by the first deployment
 * manager, whose token the server wrote at its first start.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.servlet.multipart.max-file-size=64KB", "spring.servlet.multipart.max-request-size=64KB",
        "gantry.api.max-body=256KB"})
@org.springframework.context.annotation.Import(ApiContract.Clocks.class)
abstract class ApiContract {

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

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Autowired Map<String, RequestMappingInfoHandlerMapping> handlerMappings;
  @Value("${gantry.data-dir}") Path dataDir;

  String admin;

  @BeforeEach
  void applyExamples() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    Response applied = post("/api/v1/config/apply", admin, Map.of("files", examples(), "reason", "test set-up"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  static List<Map<String, String>> examples() {
    return ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
  }

  @Test
  void health_needs_no_token_and_documentation_and_schema_are_public() throws Exception {
    assertThat(get("/api/v1/health", null).json().path("status").asString()).isEqualTo("UP");
    assertThat(get("/openapi", null).text()).contains("/api/v1/config/apply");
    assertThat(get("/schema/gantry-config.schema.json", null).json().path("title").asString())
        .isEqualTo("Gantry configuration document");
  }

  @Test
  void the_configuration_schema_is_served_under_the_api_without_a_token() throws Exception {
    Response schema = get("/api/v1/schema/config", null);

    assertThat(schema.status()).isEqualTo(200);
    assertThat(schema.contentType()).startsWith("application/schema+json");
    assertThat(schema.text()).isEqualTo(Files.readString(Path.of("schema/gantry-config.schema.json")));
  }

  @Test
  void every_endpoint_the_documentation_names_is_served() {
    List<RequestMappingInfo> mappings = handlerMappings.values().stream()
        .flatMap(m -> m.getHandlerMethods().keySet().stream()).toList();
    List<DocumentedEndpoints.Endpoint> documented = DocumentedEndpoints.all();

    assertThat(documented).hasSizeGreaterThan(80);
    assertThat(documented).filteredOn(e -> e.where().startsWith("api.md:"))
        .extracting(e -> e.method() + " " + e.path()).contains("GET /api/v1/schema/config");
    assertThat(documented).filteredOn(endpoint -> mappings.stream().noneMatch(m -> serves(m, endpoint)))
        .as("documented but not served").isEmpty();
  }

  /**
   * Whether a mapping answers the method and path: the same path with variables in the same places,
   * or, for a mapping that takes the rest of the path ({@code /**}), one that matches it.
   */
  private static boolean serves(RequestMappingInfo mapping, DocumentedEndpoints.Endpoint endpoint) {
    var methods = mapping.getMethodsCondition().getMethods();
    if (!methods.isEmpty() && !methods.contains(RequestMethod.valueOf(endpoint.method()))) {
      return false;
    }
    String shape = endpoint.path().replaceAll("\\{[^}]*}", "{}");
    PathContainer sample = PathContainer.parsePath(endpoint.path().replaceAll("\\{[^}]*}", "1"));
    return mapping.getPatternValues().stream().anyMatch(pattern ->
        pattern.replaceAll("\\{[^}]*}", "{}").equals(shape)
            || pattern.contains("*") && PathPatternParser.defaultInstance.parse(pattern).matches(sample));
  }

  @Test
  void a_call_without_a_token_is_refused_with_a_problem_document() throws Exception {
    Response r = get("/api/v1/services", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().path("detail").asString()).contains("needs an API token");
  }

  @Test
  void unknown_revoked_and_expired_tokens_are_refused_saying_why() throws Exception {
    assertThat(get("/api/v1/services", "gty_nonsense").json().path("detail").asString()).contains("not known");

    JsonNode issued = post("/api/v1/tokens", admin, Map.of("name", "ci", "expiresInDays", 1)).json();
    String token = issued.path("token").asString();
    assertThat(get("/api/v1/services", token).status()).isEqualTo(200);
    clock.advance(Duration.ofDays(1).plusSeconds(1));
    try {
      Response expired = get("/api/v1/services", token);
      assertThat(expired.status()).isEqualTo(401);
      assertThat(expired.json().path("detail").asString()).contains("expired");
    } finally {
      clock.advance(Duration.ofDays(-1).minusSeconds(1));
    }

    assertThat(delete("/api/v1/tokens/" + issued.path("id").asLong(), admin).status()).isEqualTo(200);
    Response revoked = get("/api/v1/services", token);
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.json().path("detail").asString()).contains("revoked");
  }

  @Test
  void secrets_are_never_listed() throws Exception {
    String secret = post("/api/v1/tokens", admin, Map.of("name", "listed")).json().path("token").asString();
    assertThat(secret).startsWith("gty_").hasSize(44);
    String listing = get("/api/v1/tokens", admin).text();
    assertThat(listing).contains("listed").doesNotContain(secret).doesNotContain(admin);
  }

  @Test
  void a_user_without_the_role_is_forbidden() throws Exception {
    String name = "auditor-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of("auditor")));
    assertThat(created.status()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    String auditor = post("/api/v1/tokens", code, Map.of("name", "audit")).json().path("token").asString();

    assertThat(get("/api/v1/environments", auditor).status()).isEqualTo(200);
    Response apply = post("/api/v1/config/apply", auditor, Map.of("files", examples(), "reason", "try"));
    assertThat(apply.status()).isEqualTo(403);
    assertThat(apply.json().path("type").asString()).endsWith("/forbidden");
  }

  /** A new user with {@code roles} and an API token of its own. */
  String tokenOfNewUser(String prefix, String... roles) throws Exception {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of(roles)));
    assertThat(created.status()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    return post("/api/v1/tokens", code, Map.of("name", "test")).json().path("token").asString();
  }

  @Test
  void a_supplier_reads_the_library_and_its_own_identity_and_nothing_inside_the_organization() throws Exception {
    String supplier = tokenOfNewUser("supplier", "supplier");
    String model = get("/api/v1/models", admin).json().path("items").get(0).path("name").asString();

    for (String path : List.of("/api/v1/targets", "/api/v1/environments", "/api/v1/models/" + model + "/versions/1",
        "/api/v1/changes", "/api/v1/deployments", "/api/v1/schedule", "/api/v1/metrics/kpis", "/api/v1/releases",
        "/api/v1/incidents", "/api/v1/freezes", "/api/v1/users", "/actuator/prometheus")) {
      Response r = get(path, supplier);
      assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(403);
      assertThat(r.json().path("type").asString()).endsWith("/forbidden");
    }
    assertThat(get("/api/v1/models/" + model + "/versions/1", admin).status()).isEqualTo(200);
    for (String path : List.of("/api/v1/services", "/api/v1/components", "/api/v1/services/shop/components/web/versions",
        "/api/v1/users/me", "/api/v1/tokens")) {
      assertThat(get(path, supplier).status()).as(path).isEqualTo(200);
    }
  }

  @Test
  void an_auditor_reads_everything_and_changes_nothing() throws Exception {
    String auditor = tokenOfNewUser("auditor", "auditor");

    assertThat(get("/api/v1/targets", auditor).status()).isEqualTo(200);
    assertThat(get("/api/v1/changes", auditor).status()).isEqualTo(200);
    Response deploy = post("/api/v1/deployments", auditor, Map.of("component", "shop/web", "version", "1.0.0",
        "environment", "dev"));
    assertThat(deploy.status()).as(deploy.text()).isEqualTo(403);
  }

  @Test
  void a_secret_is_written_by_a_deployment_manager_and_its_value_is_never_answered() throws Exception {
    String value = "never-to-be-seen-" + UUID.randomUUID();
    String auditor = tokenOfNewUser("auditor", "auditor");
    String supplier = tokenOfNewUser("supplier", "supplier");

    Response set = put("/api/v1/secrets/deploy-key", admin, Map.of("value", value));
    assertThat(set.status()).as(set.text()).isEqualTo(200);
    assertThat(set.text()).contains("deploy-key").doesNotContain(value);
    assertThat(put("/api/v1/secrets/deploy-key", auditor, Map.of("value", value + "2")).status()).isEqualTo(403);
    Response extra = put("/api/v1/secrets/other", admin, Map.of("value", value, "reveal", true));
    assertThat(extra.status()).isEqualTo(422);
    assertThat(extra.text()).contains("reveal");
    Response listed = get("/api/v1/secrets", auditor);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.text()).contains("deploy-key").doesNotContain(value).doesNotContain("\"other\"");
    assertThat(get("/api/v1/secrets", supplier).status()).isEqualTo(403);
    assertThat(delete("/api/v1/secrets/deploy-key", admin).status()).isEqualTo(204);
    assertThat(get("/api/v1/secrets", admin).text()).doesNotContain("deploy-key");
  }

  @Test
  void refused_configuration_names_file_line_column_and_field_and_changes_nothing() throws Exception {
    List<Map<String, String>> files = new ArrayList<>(examples());
    files.add(Map.of("name", "extra/bad.yaml", "content", """
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: extra-1}
        spec:
          environment: nowhere
          kind: local
          path: extra-1
        """));
    long targetsBefore = get("/api/v1/targets", admin).json().path("total").asLong();

    Response r = post("/api/v1/config/apply", admin, Map.of("files", files, "reason", "bad"));

    assertThat(r.status()).isEqualTo(422);
    JsonNode error = r.json().path("errors").get(0);
    assertThat(error.path("file").asString()).isEqualTo("extra/bad.yaml");
    assertThat(error.path("line").asInt()).isEqualTo(5);
    assertThat(error.path("column").asInt()).isEqualTo(3);
    assertThat(error.path("field").asString()).isEqualTo("spec.environment");
    assertThat(error.path("message").asString()).contains("\"nowhere\" is not declared");
    assertThat(get("/api/v1/targets", admin).json().path("total").asLong()).isEqualTo(targetsBefore);
  }

  @Test
  void deeply_nested_yaml_is_refused_naming_the_file_and_the_limit_not_answered_with_a_server_error()
      throws Exception {
    String deep = "apiVersion: gantry.io/v1\nkind: Service\nmetadata: {name: deep}\nspec:\n  owner: x\n  labels: "
        + "[".repeat(50_000) + "]".repeat(50_000) + "\n";

    Response r = post("/api/v1/config/plan", admin, Map.of("files", List.of(Map.of("name", "deep.yaml", "content", deep))));

    assertThat(r.status()).as(r.text()).isEqualTo(422);
    JsonNode error = r.json().path("errors").get(0);
    assertThat(error.path("file").asString()).isEqualTo("deep.yaml");
    assertThat(error.path("message").asString()).contains("deeper than 50 levels")
        .contains("gantry.config.yaml.max-depth");
  }

  @Test
  void a_json_body_over_the_limit_is_refused_with_413_naming_the_limit_and_changes_nothing() throws Exception {
    long before = get("/api/v1/deployments", admin).json().path("total").asLong();
    Map<String, Object> big = Map.of("component", "shop/web", "version", "1.0.0", "environment", "dev",
        "reason", "x".repeat(300 * 1024));

    Response declared = alone(HttpRequest.newBuilder(uri("/api/v1/deployments"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(big))));
    Response chunked = alone(HttpRequest.newBuilder(uri("/api/v1/deployments")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofInputStream(() ->
            new java.io.ByteArrayInputStream(JSON.writeValueAsBytes(big)))));

    for (Response r : List.of(declared, chunked)) {
      assertThat(r.status()).as(r.text()).isEqualTo(413);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.json().path("type").asString()).endsWith("/body-too-large");
      assertThat(r.json().path("detail").asString()).contains("262144 bytes").contains("gantry.api.max-body");
    }
    assertThat(get("/api/v1/deployments", admin).json().path("total").asLong()).isEqualTo(before);
  }

  @Test
  void a_field_longer_than_its_limit_is_refused_naming_the_field() throws Exception {
    String v = version();
    assertThat(push("shop", "web", Map.of("version", v), Map.of("app.sh", "x")).status()).isEqualTo(201);
    long before = get("/api/v1/deployments", admin).json().path("total").asLong();

    Response r = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "dev", "reason", "x".repeat(2001)));

    assertThat(r.status()).as(r.text()).isEqualTo(422);
    assertThat(r.json().path("errors").get(0).path("field").asString()).isEqualTo("reason");
    assertThat(r.json().path("errors").get(0).path("message").asString()).contains("2000");
    assertThat(get("/api/v1/deployments", admin).json().path("total").asLong()).isEqualTo(before);
  }

  @Test
  void requests_refused_before_any_controller_get_a_problem_document_naming_what_is_wrong() throws Exception {
    Response dots = alone(request("/api/v1/deployments/%2e%2e"));
    assertThat(dots.status()).isEqualTo(400);
    assertThat(dots.contentType()).startsWith("application/problem+json");
    assertThat(dots.json().path("errors").get(0).path("field").asString()).isEqualTo("path");

    Response slash = alone(request("/api/v1/services/a%2Fb"));
    assertThat(slash.status()).isEqualTo(400);
    assertThat(slash.contentType()).startsWith("application/problem+json");
    assertThat(slash.json().path("errors").get(0).path("field").asString()).isEqualTo("request");

    Response longLine = alone(request("/api/v1/services?x=" + "y".repeat(20_000)));
    assertThat(longLine.status()).isEqualTo(400);
    assertThat(longLine.json().path("errors").get(0).path("field").asString()).isEqualTo("request");

    Response text = alone(HttpRequest.newBuilder(uri("/api/v1/deployments")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("deploy it")));
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.contentType()).startsWith("application/problem+json");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + admin).GET();
  }

  /** Sent on a connection of its own: the server closes one it refused a request on as it read it. */
  private static Response alone(HttpRequest.Builder builder) throws Exception {
    try (HttpClient own = HttpClient.newHttpClient()) {
      HttpResponse<String> r = own.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }
  }

  @Test
  void text_longer_than_it_may_be_is_refused_naming_the_field_and_never_a_server_error() throws Exception {
    String huge = "x".repeat(5000);
    Map<String, Map<String, Object>> bodies = new LinkedHashMap<>();
    bodies.put("/api/v1/tokens", Map.of("name", huge));
    bodies.put("/api/v1/users", Map.of("name", "u-" + UUID.randomUUID().toString().substring(0, 8),
        "displayName", huge, "roles", List.of("auditor")));
    bodies.put("/api/v1/changes", Map.of("title", huge, "type", "normal", "risk", "low", "impact", "low",
        "plannedStart", clock.instant().plusSeconds(3600).toString(),
        "plannedEnd", clock.instant().plusSeconds(7200).toString(), "services", List.of("shop"),
        "components", List.of("shop/web"), "environments", List.of("production")));
    bodies.put("/api/v1/freezes", Map.of("name", "f", "reason", huge, "recurrence", "once",
        "from", "2030-01-01T00:00:00Z", "to", "2030-01-02T00:00:00Z"));
    bodies.put("/api/v1/incidents", Map.of("service", "shop", "severity", "minor", "title", huge));
    for (var entry : bodies.entrySet()) {
      Response r = post(entry.getKey(), admin, entry.getValue());
      assertThat(r.status()).as(entry.getKey() + ": " + r.text()).isIn(400, 422);
      assertThat(r.json().path("errors").get(0).path("field").asString()).as(entry.getKey()).isNotBlank();
    }
  }

  @Test
  void malformed_json_bodies_are_refused_naming_the_problem() throws Exception {
    Response r = send(HttpRequest.newBuilder(uri("/api/v1/config/plan")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"files\": [")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("type").asString()).endsWith("/malformed-request");
  }

  @Test
  void lists_are_paginated_and_a_bad_page_size_is_refused() throws Exception {
    JsonNode page = get("/api/v1/environments?page=1&size=3", admin).json();
    assertThat(page.path("total").asLong()).isEqualTo(4);
    assertThat(page.path("items").size()).isEqualTo(1);
    assertThat(page.path("page").asInt()).isEqualTo(1);

    Response bad = get("/api/v1/environments?size=0", admin);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("errors").get(0).path("field").asString()).isEqualTo("size");
  }

  @Test
  void a_page_past_the_furthest_row_is_refused_naming_page_not_answered_with_a_server_error() throws Exception {
    for (String list : List.of("/api/v1/deployments", "/api/v1/services", "/api/v1/changes", "/api/v1/targets",
        "/api/v1/services/shop/components/web/versions", "/api/v1/triggers/firings", "/api/v1/incidents")) {
      Response far = get(list + "?page=2147483647&size=500", admin);
      assertThat(far.status()).as(list + ": " + far.text()).isEqualTo(400);
      assertThat(far.json().path("errors").get(0).path("field").asString()).isEqualTo("page");
      assertThat(far.json().path("detail").asString()).contains("page must be at most 4294967 for size 500");

      Response huge = get(list + "?size=501", admin);
      assertThat(huge.status()).as(list).isEqualTo(400);
      assertThat(huge.json().path("errors").get(0).path("field").asString()).isEqualTo("size");
    }
    Response lastPage = get("/api/v1/deployments?page=4294967&size=500", admin);
    assertThat(lastPage.status()).as(lastPage.text()).isEqualTo(200);
    assertThat(lastPage.json().path("items")).isEmpty();

    Response tooMany = get("/api/v1/releases?limit=5000", admin);
    assertThat(tooMany.status()).as("a limit is refused, not quietly lowered").isEqualTo(400);
    assertThat(tooMany.json().path("errors").get(0).path("field").asString()).isEqualTo("limit");
  }

  @Test
  void a_version_is_pushed_once_and_other_content_under_the_same_version_is_refused() throws Exception {
    String v = version();
    Response first = push("shop", "web", Map.of("version", v), Map.of("bin/app.sh", "echo one"));
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.json().path("artifacts").get(0).path("digest").asString()).startsWith("sha256:");
    assertThat(push("shop", "web", Map.of("version", v), Map.of("bin/app.sh", "echo one")).status()).isEqualTo(200);

    Response other = push("shop", "web", Map.of("version", v), Map.of("bin/app.sh", "echo two"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.json().path("detail").asString()).contains("immutable");
  }

  @Test
  void a_push_refused_for_a_version_that_exists_with_other_content_leaves_no_file_in_the_library()
      throws Exception {
    String v = version();
    assertThat(push("shop", "web", Map.of("version", v), Map.of("bin/app.sh", "echo one " + v)).status()).isEqualTo(201);
    String refusedContent = "echo two " + v;

    Response other = push("shop", "web", Map.of("version", v), Map.of("bin/app.sh", refusedContent));

    assertThat(other.status()).isEqualTo(409);
    String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(refusedContent.getBytes(StandardCharsets.UTF_8)));
    assertThat(dataDir.resolve("dml/sha256").resolve(hex.substring(0, 2)).resolve(hex)).doesNotExist();
    try (Stream<Path> staged = Files.list(dataDir.resolve("dml/tmp"))) {
      assertThat(staged).isEmpty();
    }
  }

  @Test
  void a_deployment_manager_prunes_library_files_no_version_references_after_a_dry_run_and_no_one_else_may()
      throws Exception {
    String orphanHex = "ab".repeat(32);
    Path orphan = dataDir.resolve("dml/sha256/ab").resolve(orphanHex);
    Files.createDirectories(orphan.getParent());
    Files.writeString(orphan, "no version references this");
    String v = version();
    JsonNode pushed = push("shop", "web", Map.of("version", v), Map.of("app.sh", "kept " + v)).json();
    String auditor = tokenOfNewUser("auditor", "auditor");

    assertThat(post("/api/v1/library/prune", auditor, Map.of("dryRun", false)).status()).isEqualTo(403);
    Response missing = post("/api/v1/library/prune", admin, Map.of());
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.json().path("errors").get(0).path("field").asString()).isEqualTo("dryRun");
    Response dryRun = post("/api/v1/library/prune", admin, Map.of("dryRun", true));
    assertThat(dryRun.status()).as(dryRun.text()).isEqualTo(200);
    assertThat(dryRun.json().path("files").findValuesAsString("path")).contains("sha256/ab/" + orphanHex);
    assertThat(orphan).exists();

    Response pruned = post("/api/v1/library/prune", admin, Map.of("dryRun", false));

    assertThat(pruned.status()).isEqualTo(200);
    assertThat(pruned.json().path("files").findValuesAsString("digest")).contains("sha256:" + orphanHex);
    assertThat(orphan).doesNotExist();
    String url = "/api/v1/services/shop/components/web/versions/" + v + "/artifacts/app.sh";
    assertThat(send(request(url)).text()).isEqualTo("kept " + v);
    assertThat(pushed.path("artifacts").get(0).path("digest").asString()).startsWith("sha256:");
  }

  @Test
  void after_an_artifact_download_the_same_connection_serves_the_next_request() throws Exception {
    String v = version();
    assertThat(push("shop", "web", Map.of("version", v), Map.of("app.sh", "echo " + v)).status()).isEqualTo(201);
    String url = "/api/v1/services/shop/components/web/versions/" + v + "/artifacts/app.sh";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      var out = socket.getOutputStream();

      assertThat(exchange(in, out, url)).endsWith("echo " + v);
      for (int i = 0; i < 2; i++) {
        assertThat(exchange(in, out, "/api/v1/users/me")).as("request %d after the download", i + 1)
            .startsWith("HTTP/1.1 200").contains("\"admin\"");
      }
    }
  }

  /** One GET on a kept-alive connection: the status line, headers and body as text. */
  private String exchange(java.io.InputStream in, java.io.OutputStream out, String path) throws Exception {
    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin
        + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the server closed the connection; so far: %s", head).isNotEqualTo(-1);
      head.append((char) b);
    }
    String headers = head.toString().toLowerCase(java.util.Locale.ROOT);
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    if (headers.contains("transfer-encoding: chunked")) {
      while (true) {
        StringBuilder size = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
          assertThat(b).isNotEqualTo(-1);
          size.append((char) b);
        }
        int n = Integer.parseInt(size.toString().strip(), 16);
        body.write(in.readNBytes(n));
        in.readNBytes(2);
        if (n == 0) {
          break;
        }
      }
    } else {
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("content-length: (\\d+)").matcher(headers);
      assertThat(length.find()).as(headers).isTrue();
      body.write(in.readNBytes(Integer.parseInt(length.group(1))));
    }
    return head + body.toString(StandardCharsets.UTF_8);
  }

  @Test
  void an_artifact_path_that_escapes_its_folder_a_malformed_digest_and_a_bad_version_are_refused() throws Exception {
    Response escape = push("shop", "web", Map.of("version", version()), Map.of("../../outside.sh", "x"));
    assertThat(escape.status()).isEqualTo(422);
    assertThat(escape.json().path("errors").get(0).path("message").asString()).contains("escapes its folder");

    Response digest = push("shop", "web", Map.of("version", version(), "external",
        List.of(Map.of("path", "a.tgz", "url", "https://example.com/a.tgz", "digest", "sha256:1234"))), Map.of());
    assertThat(digest.status()).isEqualTo(422);
    assertThat(digest.json().path("errors").get(0).path("field").asString()).isEqualTo("external[0].digest");

    Response badVersion = push("shop", "web", Map.of("version", "one"), Map.of("a.sh", "x"));
    assertThat(badVersion.status()).isEqualTo(422);
    assertThat(badVersion.json().path("errors").get(0).path("field").asString()).isEqualTo("version");
    assertThat(get("/api/v1/services/shop/components/web/versions/one", admin).status()).isEqualTo(404);
  }

  @Test
  void the_components_of_a_pushed_sbom_are_served_and_a_malformed_sbom_is_refused_naming_file_and_place()
      throws Exception {
    String v = version();
    String bom = new String(ApiContract.class.getResourceAsStream("/sbom/shop-web.cdx.json").readAllBytes(),
        StandardCharsets.UTF_8);
    Response pushed = push("shop", "web", Map.of("version", v), Map.of("app.sh", "x", "bom.json", bom));
    assertThat(pushed.status()).as(pushed.text()).isEqualTo(201);

    Response sbom = get("/api/v1/services/shop/components/web/versions/" + v + "/sbom", admin);
    assertThat(sbom.status()).isEqualTo(200);
    assertThat(sbom.contentType()).startsWith("application/json");
    Response xml = send(auth(HttpRequest.newBuilder(uri("/api/v1/services/shop/components/web/versions/" + v + "/sbom"))
        .header("Accept", "application/xml").GET(), admin));
    assertThat(xml.status()).as("the API answers JSON only: " + xml.contentType()).isEqualTo(406);
    assertThat(xml.json().path("detail").asString()).contains("application/json");
    JsonNode first = sbom.json().path("sboms").get(0);
    assertThat(first.path("path").asString()).isEqualTo("bom.json");
    assertThat(first.path("format").asString()).isEqualTo("cyclonedx");
    assertThat(first.path("specVersion").asString()).isEqualTo("1.6");
    assertThat(first.path("components")).hasSize(4);
    assertThat(first.path("components").get(0).path("purl").asString()).isEqualTo("pkg:maven/org.slf4j/slf4j-api@2.0.16");
    assertThat(first.path("components").get(0).path("licence").asString()).isEqualTo("MIT");

    String broken = version();
    Response refused = push("shop", "web", Map.of("version", broken), Map.of("app.sh", "x", "app.cdx.json",
        bom.replaceFirst("\"version\": 1,", "\"version\": 1")));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().path("errors").get(0).path("message").asString())
        .startsWith("SBOM app.cdx.json is not valid: line 6, column ");
    assertThat(get("/api/v1/services/shop/components/web/versions/" + broken, admin).status()).isEqualTo(404);
  }

  @Test
  void an_oversized_upload_is_refused_with_413() throws Exception {
    Response r = push("shop", "web", Map.of("version", version()), Map.of("big.bin", "x".repeat(100 * 1024)));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().path("type").asString()).endsWith("/upload-too-large");
  }

  @Test
  void a_stale_status_change_gets_409_and_changes_nothing() throws Exception {
    String v = version();
    long row = push("shop", "web", Map.of("version", v), Map.of("a.sh", "x")).json().path("rowVersion").asLong();
    String path = "/api/v1/services/shop/components/web/versions/" + v + "/status";
    assertThat(put(path, admin, Map.of("status", "approved", "reason", "tested", "rowVersion", row)).status())
        .isEqualTo(200);

    Response stale = put(path, admin, Map.of("status", "withdrawn", "reason", "late", "rowVersion", row));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.json().path("type").asString()).endsWith("/stale-update");
    assertThat(get("/api/v1/services/shop/components/web/versions/" + v, admin).json().path("status").asString())
        .isEqualTo("approved");
  }

  @Test
  void an_artifact_is_served_only_while_its_bytes_match_its_digest() throws Exception {
    String v = version();
    String content = "payload " + v;
    JsonNode pushed = push("shop", "web", Map.of("version", v), Map.of("app.bin", content)).json();
    String url = "/api/v1/services/shop/components/web/versions/" + v + "/artifacts/app.bin";
    assertThat(get(url, admin).text()).isEqualTo(content);

    String hex = pushed.path("artifacts").get(0).path("digest").asString().substring("sha256:".length());
    Files.writeString(dataDir.resolve("dml/sha256").resolve(hex.substring(0, 2)).resolve(hex), "tampered");
    Response tampered = get(url, admin);
    assertThat(tampered.status()).isEqualTo(409);
    assertThat(tampered.json().path("type").asString()).endsWith("/integrity-violation");
  }

  @Test
  void a_changed_model_gets_a_new_version_with_author_reason_and_diff() throws Exception {
    List<Map<String, String>> files = examples().stream().map(f -> f.get("name").endsWith("hardware.yaml")
        ? Map.of("name", f.get("name"), "content", f.get("content").replace("count: 1", "count: 2")) : f).toList();
    JsonNode plan = post("/api/v1/config/apply", admin, Map.of("files", files, "reason", "two approvers")).json();
    assertThat(plan.path("summary").path("update").asInt()).isEqualTo(1);

    JsonNode history = get("/api/v1/models/hardware/versions", admin).json();
    JsonNode latest = history.get(0);
    assertThat(latest.path("author").asString()).isEqualTo("admin");
    assertThat(latest.path("reason").asString()).isEqualTo("two approvers");
    String diff = get("/api/v1/models/hardware/diff", admin).json().path("diff").asString();
    assertThat(diff).contains("-        count: 1").contains("+        count: 2");
  }

  @Test
  void deployment_requests_for_unknown_versions_environments_or_models_are_refused_and_nothing_is_recorded()
      throws Exception {
    String v = version();
    assertThat(push("shop", "web", Map.of("version", v), Map.of("app.sh", "x")).status()).isEqualTo(201);
    long before = get("/api/v1/deployments", admin).json().path("total").asLong();

    Response unknownVersion = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", "9.9.9", "environment", "dev"));
    assertThat(unknownVersion.status()).isEqualTo(404);
    assertThat(unknownVersion.json().path("detail").asString()).contains("shop/web@9.9.9");

    Response unknownEnvironment = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "mars"));
    assertThat(unknownEnvironment.status()).isEqualTo(404);
    assertThat(unknownEnvironment.json().path("detail").asString()).contains("mars");

    Response wrongModel = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "production", "model", "hardware"));
    assertThat(wrongModel.status()).isEqualTo(422);
    assertThat(wrongModel.json().path("errors").get(0).path("field").asString()).isEqualTo("model");
    assertThat(wrongModel.json().path("errors").get(0).path("message").asString()).contains("does not apply");

    Response badRef = post("/api/v1/deployments", admin, Map.of("component", "web", "version", v, "environment", "dev"));
    assertThat(badRef.status()).isEqualTo(422);

    Response badKind = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "dev", "kind", "remove"));
    assertThat(badKind.status()).isEqualTo(422);
    assertThat(badKind.json().path("errors").get(0).path("field").asString()).isEqualTo("kind");

    Response pastStart = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "dev", "at", "2001-01-01T00:00:00Z"));
    assertThat(pastStart.status()).isEqualTo(422);
    assertThat(pastStart.json().path("errors").get(0).path("message").asString()).contains("is in the past");

    Response wildPriority = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "dev", "priority", 500));
    assertThat(wildPriority.status()).isEqualTo(422);
    assertThat(wildPriority.json().path("errors").get(0).path("field").asString()).isEqualTo("priority");

    Response nothingToUndeploy = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "environment", "test", "kind", "undeploy"));
    assertThat(nothingToUndeploy.status()).isEqualTo(409);
    assertThat(nothingToUndeploy.json().path("detail").asString()).contains("not deployed in test");

    assertThat(get("/api/v1/deployments", admin).json().path("total").asLong()).isEqualTo(before);
  }

  @Test
  void a_production_deployment_of_a_version_that_skipped_staging_is_refused_with_every_unmet_requirement()
      throws Exception {
    String v = version();
    long row = push("shop", "web", Map.of("version", v), Map.of("app.sh", "x")).json().path("rowVersion").asLong();
    put("/api/v1/services/shop/components/web/versions/" + v + "/status", admin,
        Map.of("status", "approved", "reason", "ok", "rowVersion", row));
    long before = get("/api/v1/deployments?environment=production", admin).json().path("total").asLong();

    Response refused = post("/api/v1/deployments", admin,
        Map.of("component", "shop/web", "version", v, "environment", "production", "reason", "release"));

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.contentType()).contains("application/problem+json");
    JsonNode errors = refused.json().path("errors");
    assertThat(errors).extracting(e -> e.path("field").asString()).containsExactly("entryCriteria[0]", "environment");
    assertThat(errors.get(0).path("message").asString()).contains("succeeded in stage staging")
        .contains("gantry deploy shop/web@" + v + " --to staging");
    assertThat(errors.get(1).path("message").asString()).contains("production comes after staging");
    assertThat(get("/api/v1/deployments?environment=production", admin).json().path("total").asLong())
        .as("nothing recorded").isEqualTo(before);
  }

  @Test
  void the_inventory_says_what_runs_where_and_refuses_a_silly_history_limit() throws Exception {
    Response inventory = get("/api/v1/inventory?environment=production", admin);
    assertThat(inventory.status()).isEqualTo(200);
    assertThat(inventory.json().isArray()).isTrue();
    inventory.json().forEach(p -> assertThat(p.path("environment").asString()).isEqualTo("production"));

    assertThat(get("/api/v1/inventory/targets/web-1/history", admin).status()).isEqualTo(200);
    Response silly = get("/api/v1/inventory/targets/web-1/history?limit=0", admin);
    assertThat(silly.status()).isEqualTo(400);
    assertThat(silly.json().path("errors").get(0).path("field").asString()).isEqualTo("limit");
  }

  @Test
  void a_release_is_recorded_in_dependency_order_refused_naming_the_wrong_member_and_its_run_can_be_cancelled()
      throws Exception {
    String web = version();
    String config = version();
    assertThat(push("shop", "web", Map.of("version", web), Map.of("app.sh", "x")).status()).isEqualTo(201);
    assertThat(push("shop", "app-config", Map.of("version", config), Map.of("app.conf", "x")).status()).isEqualTo(201);
    String name = "shop-" + web;

    Response created = post("/api/v1/releases", admin, Map.of("name", name, "description", "web and its config",
        "members", List.of("shop/app-config@" + config, "shop/web@" + web)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().path("members").get(0).path("component").asString()).isEqualTo("shop/web");
    assertThat(created.json().path("members").get(1).path("component").asString()).isEqualTo("shop/app-config");

    Response unknown = post("/api/v1/releases", admin, Map.of("name", name + "-x",
        "members", List.of("shop/web@" + web, "shop/web@9.9.9", "shop/nothing@1.0.0")));
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().path("errors").findValuesAsString("field")).contains("members[1]", "members[2]");
    assertThat(post("/api/v1/releases", admin, Map.of("name", name, "members", List.of("shop/web@" + web)))
        .status()).isEqualTo(409);
    assertThat(get("/api/v1/releases/" + name + "-x", admin).status()).isEqualTo(404);

    Response nowhere = post("/api/v1/releases/" + name + "/runs", admin, Map.of("environment", "mars"));
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(nowhere.json().path("detail").asString()).contains("mars");

    Response run = post("/api/v1/releases/" + name + "/runs", admin, Map.of("environment", "dev",
        "at", clock.instant().plus(java.time.Duration.ofDays(1)).toString()));
    assertThat(run.status()).as(run.text()).isEqualTo(201);
    long id = run.json().path("id").asLong();
    assertThat(run.json().path("state").asString()).isEqualTo("running");
    assertThat(run.json().path("members").findValuesAsString("component"))
        .containsExactly("shop/web", "shop/app-config");
    assertThat(get("/api/v1/releases/" + name, admin).json().path("runs").get(0).path("id").asLong()).isEqualTo(id);

    Response cancelled = post("/api/v1/release-runs/" + id + "/cancel", admin, Map.of("reason", "not today"));
    assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
    assertThat(cancelled.json().path("state").asString()).isEqualTo("cancelled");
    assertThat(cancelled.json().path("members").findValuesAsString("state")).containsOnly("CANCELLED");
    assertThat(post("/api/v1/release-runs/" + id + "/cancel", admin, Map.of("reason", "again")).status())
        .isEqualTo(409);
    assertThat(get("/api/v1/release-runs/" + id, admin).json().path("history").size()).isGreaterThanOrEqualTo(3);
  }

  // --- helpers

  static String version() {
    return "1.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
  }

  record Response(int status, String contentType, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  Response get(String path, String token) throws Exception {
    return send(auth(HttpRequest.newBuilder(uri(path)).GET(), token));
  }

  Response delete(String path, String token) throws Exception {
    return send(auth(HttpRequest.newBuilder(uri(path)).DELETE(), token));
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(auth(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token));
  }

  Response put(String path, String token, Object body) throws Exception {
    return send(auth(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token));
  }

  Response push(String service, String component, Map<String, Object> manifest, Map<String, String> files)
      throws Exception {
    String boundary = "gantry" + UUID.randomUUID();
    StringBuilder body = new StringBuilder();
    body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"manifest\"\r\n")
        .append("Content-Type: application/json\r\n\r\n").append(JSON.writeValueAsString(manifest)).append("\r\n");
    files.forEach((name, content) -> body.append("--").append(boundary)
        .append("\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"").append(name).append("\"\r\n")
        .append("Content-Type: application/octet-stream\r\n\r\n").append(content).append("\r\n"));
    body.append("--").append(boundary).append("--\r\n");
    return send(auth(HttpRequest.newBuilder(uri("/api/v1/services/" + service + "/components/" + component
        + "/versions")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())), admin));
  }

  private static HttpRequest.Builder auth(HttpRequest.Builder builder, String token) {
    return token == null ? builder : builder.header("Authorization", "Bearer " + token);
  }

  static Response send(HttpRequest.Builder builder) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }
}
