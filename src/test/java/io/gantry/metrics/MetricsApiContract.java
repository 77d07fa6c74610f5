package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.deployment.DeploymentEvent.WaitKind;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Incidents, ratings and the period reports over real HTTP, on a server started on a random port with
 * the example configuration; run on H2 and PostgreSQL by the subclasses. Records are written straight
 * into the server's database, each test in its own month so they do not see each other's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.context.annotation.Import(MetricsApiContract.Clocks.class)
abstract class MetricsApiContract {

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

  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-metrics-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Value("${gantry.data-dir}") Path dataDir;

  String admin;
  Records records;

  @BeforeEach
  void applyExamples() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    List<Map<String, String>> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
    Response applied = post("/api/v1/config/apply", admin, Map.of("files", files, "reason", "test set-up"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    records = new Records(jdbc);
  }

  @Test
  void an_incident_is_linked_by_rule_resolved_and_remediated_and_bad_times_are_refused() throws Exception {
    long cause = records.deployment("shop", "web", "1.0", "production", "in-house-software", "admin",
        "2026-01-05 10:00").runTo("2026-01-05 10:00").to("SUCCEEDED", "2026-01-05 10:30").id;

    Response backwards = post("/api/v1/incidents", admin, Map.of("service", "shop", "environment", "production",
        "severity", "2", "title", "checkout fails", "detectedAt", "2026-01-05T12:00:00Z",
        "resolvedAt", "2026-01-05T11:00:00Z"));
    assertThat(backwards.status()).isEqualTo(422);
    assertThat(backwards.json().path("errors").get(0).path("field").asString()).isEqualTo("resolvedAt");
    assertThat(get("/api/v1/incidents?service=shop", admin).json().path("total").asLong()).isZero();

    Response created = post("/api/v1/incidents", admin, Map.of("service", "shop", "environment", "production",
        "severity", "high", "title", "checkout fails", "reference", "INC-1", "detectedAt", "2026-01-05T12:00:00Z"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode incident = created.json();
    assertThat(incident.path("deployment").asLong()).isEqualTo(cause);
    assertThat(incident.path("linkedBy").asString()).isEqualTo("rule");
    assertThat(incident.path("severityLevel").asInt()).isEqualTo(2);
    long id = incident.path("id").asLong();

    long fix = records.deployment("shop", "web", "1.1", "production", "in-house-software", "admin",
        "2026-01-05 12:30").runTo("2026-01-05 12:30").to("SUCCEEDED", "2026-01-05 13:00").id;
    Response remediated = post("/api/v1/incidents/" + id + "/remediation", admin, Map.of("deployment", fix));
    assertThat(remediated.status()).isEqualTo(201);
    assertThat(remediated.json().path("remediations").get(0).asLong()).isEqualTo(fix);

    assertThat(post("/api/v1/incidents/" + id + "/resolve", admin, Map.of("resolvedAt", "2026-01-05T11:00:00Z"))
        .status()).isEqualTo(422);
    Response resolved = post("/api/v1/incidents/" + id + "/resolve", admin, Map.of("resolvedAt",
        "2026-01-05T13:10:00Z"));
    assertThat(resolved.json().path("resolvedAt").asString()).isEqualTo("2026-01-05T13:10:00Z");
    assertThat(post("/api/v1/incidents/" + id + "/resolve", admin, Map.of()).status()).isEqualTo(409);

    // January's DORA: two successes, one linked to a resolved incident (recovered in 70 min), one rework
    JsonNode dora = get("/api/v1/metrics/dora?from=2026-01-01&to=2026-01-31", admin).json();
    assertThat(dora.path("deployments").asLong()).isEqualTo(2);
    assertThat(dora.path("changeFailRate").path("percent").asDouble()).isEqualTo(50.0);
    assertThat(dora.path("failedDeploymentRecoveryTime").path("medianSeconds").asDouble()).isEqualTo(4200.0);
    assertThat(dora.path("failedDeploymentRecoveryTime").path("level").asString()).isEqualTo("HIGH");
    assertThat(dora.path("deploymentReworkRate").path("percent").asDouble()).isEqualTo(50.0);
  }

  @Test
  void only_the_requester_rates_and_only_from_1_to_5() throws Exception {
    long id = records.deployment("shop", "web", "1.0", "test", "in-house-software", "admin", "2026-02-05 10:00")
        .runTo("2026-02-05 10:00").to("SUCCEEDED", "2026-02-05 10:30").id;
    String other = "owner-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", admin, Map.of("name", other, "roles", List.of("service-owner"))).json()
        .path("enrolment").path("code").asString();
    String otherToken = post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();

    assertThat(post("/api/v1/deployments/" + id + "/ratings", otherToken, Map.of("leadTime", 3, "quality", 3))
        .status()).isEqualTo(403);
    Response outside = post("/api/v1/deployments/" + id + "/ratings", admin, Map.of("leadTime", 6, "quality", 3));
    assertThat(outside.status()).isEqualTo(422);
    assertThat(outside.json().path("errors").get(0).path("field").asString()).isEqualTo("leadTime");
    Response rated = post("/api/v1/deployments/" + id + "/ratings", admin,
        Map.of("leadTime", 4, "quality", 5, "comment", "smooth"));
    assertThat(rated.status()).as(rated.text()).isEqualTo(201);
    assertThat(get("/api/v1/deployments/" + id + "/ratings", admin).json().path("quality").asInt()).isEqualTo(5);

    JsonNode kpis = get("/api/v1/metrics/kpis?from=2026-02-01&to=2026-02-28&service=shop", admin).json();
    assertThat(kpis.path("satisfaction").path("ratings").asLong()).isEqualTo(1);
    assertThat(kpis.path("satisfaction").path("comments").get(0).path("comment").asString()).isEqualTo("smooth");
  }

  @Test
  void the_kpis_as_json_and_as_csv_and_bad_periods_and_filters_are_refused() throws Exception {
    records.deployment("shop", "web", "1.0", "test", "in-house-software", "admin", "2026-03-05 10:00")
        .runTo("2026-03-05 10:00").to("SUCCEEDED", "2026-03-05 11:00");
    records.deployment("shop", "web", "1.0", "test", "in-house-software", "admin", "2026-03-06 10:00")
        .runTo("2026-03-06 10:00").to("FAILED", "2026-03-06 10:10");
    String query = "from=2026-03-01&to=2026-03-31&environment=test";

    JsonNode kpis = get("/api/v1/metrics/kpis?" + query, admin).json();
    assertThat(kpis.path("deployments").path("ended").asLong()).isEqualTo(2);
    assertThat(kpis.path("deployments").path("successPercent").asDouble()).isEqualTo(50.0);
    assertThat(kpis.path("leadTime").path("requestToSuccessMedianSeconds").asDouble()).isEqualTo(3600.0);

    Response csv = get("/api/v1/metrics/kpis?" + query + "&format=csv", admin);
    assertThat(csv.contentType()).startsWith("text/csv");
    assertThat(csv.text()).startsWith("report,section,metric,value\r\n")
        .contains("kpis,deployments,successPercent,50.0\r\n").contains("kpis,deployments,ended,2\r\n");
    Response accepted = send(HttpRequest.newBuilder(uri("/api/v1/metrics/dora?from=2026-03-01&to=2026-03-31"))
        .header("Authorization", "Bearer " + admin).header("Accept", "text/csv").GET());
    assertThat(accepted.contentType()).startsWith("text/csv");
    assertThat(accepted.text()).contains("dora,changeFailRate,percent,");

    assertRefused("/api/v1/metrics/kpis?from=2026-03-31&to=2026-03-01", "to", "before it starts");
    assertRefused("/api/v1/metrics/kpis?to=2026-03-01", "from", "needs a start");
    assertRefused("/api/v1/metrics/dora?from=2024-01-01&to=2026-03-01", "to", "longer than 366 days");
    assertRefused("/api/v1/vsm?from=2026-03-01&to=2026-03-31&environment=mars", "environment", "not an environment");
    assertRefused("/api/v1/metrics/kpis?from=2026-03-01&to=2026-03-31&service=nope", "service", "not a service");
    assertRefused("/api/v1/metrics/dora?from=2026-03-01&to=2026-03-31&environment=test", "environment",
        "not a production environment");
    assertRefused("/api/v1/metrics/kpis?from=2026-03-01&to=2026-03-31&format=xml", "format", "not a format");
  }

  @Test
  void the_value_stream_of_a_period_and_of_one_deployment() throws Exception {
    long id = records.deployment("shop", "web", "1.0", "staging", "in-house-software", "admin", "2026-04-05 10:00")
        .waitFor(WaitKind.APPROVAL, "2026-04-05 10:00").to("PLANNED", "2026-04-05 11:00")
        .to("COMPONENTS_VERIFIED", "2026-04-05 11:00").to("ENVIRONMENT_VERIFIED", "2026-04-05 11:00")
        .to("EXECUTING", "2026-04-05 11:00").to("VERIFYING", "2026-04-05 11:20").to("SUCCEEDED", "2026-04-05 11:30").id;

    JsonNode map = get("/api/v1/vsm?from=2026-04-01&to=2026-04-30&environment=staging", admin).json();
    assertThat(map.path("deployments").asLong()).isEqualTo(1);
    assertThat(map.path("totals").path("processSeconds").asDouble()).isEqualTo(1800.0);
    assertThat(map.path("totals").path("waitSeconds").asDouble()).isEqualTo(3600.0);
    assertThat(map.path("waits").get(0).path("kind").asString()).isEqualTo("approval");
    assertThat(get("/api/v1/vsm?from=2026-04-01&to=2026-04-30&environment=staging&format=csv", admin).text())
        .contains("vsm,wait,approval,1,,,3600.0,3600.0,,100.0");

    JsonNode timeline = get("/api/v1/deployments/" + id + "/vsm", admin).json();
    assertThat(timeline.path("segments").get(1).path("waitingFor").asString()).isEqualTo("approval");
    assertThat(get("/api/v1/vsm/deployments/" + id, admin).json().path("totals").path("flowEfficiencyPercent")
        .asDouble()).isEqualTo(33.3);
    assertThat(get("/api/v1/deployments/999999/vsm", admin).status()).isEqualTo(404);
  }

  @Test
  void prometheus_shows_deployments_by_outcome_from_the_records_to_token_holders_only() throws Exception {
    records.deployment("shop", "web", "1.0", "dev", "in-house-software", "admin", "2026-05-05 10:00")
        .runTo("2026-05-05 10:00").to("SUCCEEDED", "2026-05-05 10:05");
    records.deployment("shop", "web", "1.0", "dev", "in-house-software", "admin", "2026-05-06 10:00")
        .waitFor(WaitKind.WINDOW, "2026-05-06 10:00");
    clock.advance(Duration.ofSeconds(11)); // past the meters' refresh interval
    long succeeded = jdbc.sql("select count(*) from deployments where state = 'SUCCEEDED'").query(Long.class).single();

    assertThat(get("/actuator/prometheus", null).status()).isEqualTo(401);
    String scrape = get("/actuator/prometheus", admin).text();
    assertThat(scrape).contains("gantry_deployments_ended_total{outcome=\"succeeded\"} " + succeeded + ".0")
        .contains("gantry_deployments_waiting{kind=\"window\"} 1.0")
        .contains("gantry_deployments_queued{state=\"requested\"}");
  }

  private void assertRefused(String path, String field, String message) throws Exception {
    Response r = get(path, admin);
    assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(422);
    assertThat(r.json().path("errors").get(0).path("field").asString()).isEqualTo(field);
    assertThat(r.json().path("detail").asString()).contains(message);
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
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    return send(token == null ? b : b.header("Authorization", "Bearer " + token));
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  static Response send(HttpRequest.Builder builder) throws Exception {
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }
}
