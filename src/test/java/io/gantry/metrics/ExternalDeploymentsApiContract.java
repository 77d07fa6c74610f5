package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deployments done by other tools, recorded through the API of a real server: where they appear, how
 * they count in the measures (with the filter to include, exclude or count only them), how incidents
 * link to them, and what is refused. Run on H2 and PostgreSQL by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.context.annotation.Import(MetricsApiContract.Clocks.class)
abstract class ExternalDeploymentsApiContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

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

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    return send(token == null ? b : b.header("Authorization", "Bearer " + token));
  }

  Response post(String path, String token, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    return send(token == null ? b : b.header("Authorization", "Bearer " + token));
  }

  static Response send(HttpRequest.Builder builder) throws Exception {
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }

  static Map<String, Object> report(String version, String environment, String started, String finished,
      String outcome, List<Map<String, String>> commits) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("component", "shop/web");
    body.put("version", version);
    body.put("environment", environment);
    body.put("startedAt", started);
    body.put("finishedAt", finished);
    body.put("outcome", outcome);
    body.put("tool", "argo-cd");
    body.put("url", "https://argocd.example.com/applications/shop-web");
    if (commits != null) {
      body.put("commits", commits);
    }
    return body;
  }

  static Map<String, String> commit(String sha, String at) {
    return Map.of("sha", sha, "committedAt", at);
  }

  long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }

  @Test
  void a_recorded_deployment_is_in_the_history_and_the_inventory_marked_external_and_the_engine_never_runs_it()
      throws Exception {
    long workItems = count("work_items");
    Response recorded = post("/api/v1/external-deployments", admin, report("2.0.0", "staging",
        "2026-05-04T10:00:00Z", "2026-05-04T10:12:00Z", "succeeded",
        List.of(commit("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "2026-05-04T08:00:00Z"))));
    assertThat(recorded.status()).as(recorded.text()).isEqualTo(201);
    JsonNode d = recorded.json();
    long id = d.path("id").asLong();
    assertThat(d.path("kind").asString()).isEqualTo("external");
    assertThat(d.path("state").asString()).isEqualTo("SUCCEEDED");
    assertThat(d.path("tool").asString()).isEqualTo("argo-cd");
    assertThat(d.path("recordedBy").asString()).isEqualTo("admin");
    assertThat(d.path("commits").get(0).path("sha").asString()).startsWith("a1b2c3d");

    JsonNode history = get("/api/v1/deployments?environment=staging", admin).json().path("items");
    assertThat(history.get(0).path("id").asLong()).isEqualTo(id);
    assertThat(history.get(0).path("kind").asString()).isEqualTo("external");
    assertThat(history.get(0).path("targets").size()).isZero();
    JsonNode one = get("/api/v1/deployments/" + id, admin).json();
    assertThat(one.path("kind").asString()).isEqualTo("external");
    JsonNode events = get("/api/v1/deployments/" + id + "/events", admin).json();
    assertThat(events.size()).isEqualTo(2);
    assertThat(events.get(1).path("to").asString()).isEqualTo("SUCCEEDED");

    JsonNode inventory = get("/api/v1/inventory?environment=staging", admin).json();
    assertThat(inventory.size()).isEqualTo(1);
    assertThat(inventory.get(0).path("component").asString()).isEqualTo("shop/web");
    assertThat(inventory.get(0).path("version").asString()).isEqualTo("2.0.0");
    assertThat(inventory.get(0).path("deployment").asLong()).isEqualTo(id);
    assertThat(inventory.get(0).path("target").isNull()).isTrue();

    assertThat(count("work_items")).isEqualTo(workItems);
    assertThat(jdbc.sql("select count(*) from target_runs where deployment_id = :id").param("id", id)
        .query(Long.class).single()).isZero();
  }

  @Test
  void external_deployments_count_in_dora_and_kpis_unless_excluded_and_do_not_follow_a_model() throws Exception {
    // June: one deployment of Gantry's own to production (requested 09:00, succeeded 10:00), one
    // external that succeeded with two commits (made 2 h and 4 h before its end) and one external that failed
    records.deployment("shop", "web", "3.0", "production", "in-house-software", "admin", "2026-06-02 09:00")
        .runTo("2026-06-02 09:30").to("SUCCEEDED", "2026-06-02 10:00");
    assertThat(post("/api/v1/external-deployments", admin, report("3.1.0", "production", "2026-06-03T11:50:00Z",
        "2026-06-03T12:00:00Z", "succeeded", List.of(commit("1111111", "2026-06-03T10:00:00Z"),
            commit("2222222", "2026-06-03T08:00:00Z")))).status()).isEqualTo(201);
    assertThat(post("/api/v1/external-deployments", admin, report("3.2.0", "production", "2026-06-04T11:50:00Z",
        "2026-06-04T12:00:00Z", "failed", null)).status()).isEqualTo(201);

    JsonNode all = get("/api/v1/metrics/dora?from=2026-06-01&to=2026-06-30", admin).json();
    assertThat(all.path("deployments").asLong()).isEqualTo(3);
    assertThat(all.path("deploymentFrequency").path("succeeded").asLong()).isEqualTo(2);
    assertThat(all.path("changeFailRate").path("failed").asLong()).isEqualTo(1);
    // lead times: Gantry's own from its request (3600 s: its version has no commit time), and the two
    // commits of the external one (7200 s and 14400 s): the median is 7200 s
    assertThat(all.path("changeLeadTime").path("medianSeconds").asDouble()).isEqualTo(7200.0);
    assertThat(all.path("changeLeadTime").path("withCommitTime").asLong()).isEqualTo(1);
    assertThat(all.path("filter").path("external").asString()).isEqualTo("include");

    JsonNode excluded = get("/api/v1/metrics/dora?from=2026-06-01&to=2026-06-30&external=exclude", admin).json();
    assertThat(excluded.path("deployments").asLong()).isEqualTo(1);
    assertThat(excluded.path("changeFailRate").path("failed").asLong()).isZero();
    assertThat(excluded.path("changeLeadTime").path("medianSeconds").asDouble()).isEqualTo(3600.0);

    JsonNode only = get("/api/v1/metrics/dora?from=2026-06-01&to=2026-06-30&external=only", admin).json();
    assertThat(only.path("deployments").asLong()).isEqualTo(2);
    assertThat(only.path("changeLeadTime").path("medianSeconds").asDouble()).isEqualTo(10800.0);

    JsonNode kpis = get("/api/v1/metrics/kpis?from=2026-06-01&to=2026-06-30", admin).json();
    assertThat(kpis.path("deployments").path("ended").asLong()).isEqualTo(3);
    assertThat(kpis.path("adoption").path("deployments").asLong()).isEqualTo(3);
    assertThat(kpis.path("leadTime").path("withCommitTime").asLong()).isEqualTo(1);
    assertThat(kpis.path("leadTime").path("commitToProductionMedianSeconds").asDouble()).isEqualTo(10800.0);
    JsonNode kpisWithout = get("/api/v1/metrics/kpis?from=2026-06-01&to=2026-06-30&external=exclude", admin).json();
    assertThat(kpisWithout.path("deployments").path("ended").asLong()).isEqualTo(1);
    // the external ones follow no model: they add to the deployments, not to those through the agreed model
    assertThat(kpis.path("adoption").path("throughAgreedModel").asLong())
        .isEqualTo(kpisWithout.path("adoption").path("throughAgreedModel").asLong());
    assertThat(kpisWithout.path("adoption").path("deployments").asLong()).isEqualTo(1);

    Response bad = get("/api/v1/metrics/dora?from=2026-06-01&to=2026-06-30&external=sometimes", admin);
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().path("errors").get(0).path("field").asString()).isEqualTo("external");
  }

  @Test
  void commits_already_brought_by_an_earlier_successful_deployment_there_are_not_counted_again() throws Exception {
    assertThat(post("/api/v1/external-deployments", admin, report("4.0.0", "production", "2026-07-01T09:50:00Z",
        "2026-07-01T10:00:00Z", "succeeded", List.of(commit("3333333", "2026-07-01T09:00:00Z")))).status())
        .isEqualTo(201);
    // the next one lists the same commit again and a new one made 30 min before its end
    assertThat(post("/api/v1/external-deployments", admin, report("4.0.1", "production", "2026-07-02T09:50:00Z",
        "2026-07-02T10:00:00Z", "succeeded", List.of(commit("3333333", "2026-07-01T09:00:00Z"),
            commit("4444444", "2026-07-02T09:30:00Z")))).status()).isEqualTo(201);
    JsonNode dora = get("/api/v1/metrics/dora?from=2026-07-01&to=2026-07-31", admin).json();
    // counted: 3600 s (first) and 1800 s (the new commit of the second): median 2700 s
    assertThat(dora.path("changeLeadTime").path("medianSeconds").asDouble()).isEqualTo(2700.0);
  }

  @Test
  void an_incident_links_by_rule_to_the_latest_successful_deployment_even_an_external_one() throws Exception {
    records.deployment("shop", "web", "5.0", "production", "in-house-software", "admin", "2026-08-03 09:00")
        .runTo("2026-08-03 09:00").to("SUCCEEDED", "2026-08-03 09:30");
    long external = post("/api/v1/external-deployments", admin, report("5.1.0", "production",
        "2026-08-04T09:00:00Z", "2026-08-04T09:10:00Z", "succeeded", null)).json().path("id").asLong();
    Response incident = post("/api/v1/incidents", admin, Map.of("service", "shop", "environment", "production",
        "severity", "2", "title", "checkout slow", "detectedAt", "2026-08-04T11:00:00Z"));
    assertThat(incident.status()).as(incident.text()).isEqualTo(201);
    assertThat(incident.json().path("deployment").asLong()).isEqualTo(external);
    assertThat(incident.json().path("linkedBy").asString()).isEqualTo("rule");

    JsonNode kpis = get("/api/v1/metrics/kpis?from=2026-08-01&to=2026-08-31&external=exclude", admin).json();
    assertThat(kpis.path("incidents").path("total").asLong()).isZero();
    kpis = get("/api/v1/metrics/kpis?from=2026-08-01&to=2026-08-31&external=only", admin).json();
    assertThat(kpis.path("incidents").path("total").asLong()).isEqualTo(1);
  }

  @Test
  void bad_reports_are_refused_naming_the_field_and_change_nothing() throws Exception {
    long before = count("deployments");
    Map<String, Object> backwards = report("6.0.0", "production", "2026-09-01T10:00:00Z", "2026-09-01T09:00:00Z",
        "succeeded", null);
    assertField(post("/api/v1/external-deployments", admin, backwards), 422, "finishedAt");

    Map<String, Object> unknown = report("6.0.0", "production", "2026-09-01T10:00:00Z", "2026-09-01T10:05:00Z",
        "succeeded", null);
    unknown.put("component", "shop/nope");
    assertField(post("/api/v1/external-deployments", admin, unknown), 422, "component");
    assertField(post("/api/v1/external-deployments", admin, report("6.0.0", "mars", "2026-09-01T10:00:00Z",
        "2026-09-01T10:05:00Z", "succeeded", null)), 422, "environment");
    assertField(post("/api/v1/external-deployments", admin, report("6.0.0", "production", "2026-09-01T10:00:00Z",
        "2026-09-01T10:05:00Z", "done", null)), 422, "outcome");
    assertField(post("/api/v1/external-deployments", admin, report("not a version", "production",
        "2026-09-01T10:00:00Z", "2026-09-01T10:05:00Z", "succeeded", null)), 422, "version");
    assertField(post("/api/v1/external-deployments", admin, report("6.0.0", "production", "2026-09-01T10:00:00Z",
        "2026-09-01T10:05:00Z", "succeeded", List.of(commit("XYZ", "2026-09-01T09:00:00Z")))), 422,
        "commits[0].sha");
    assertField(post("/api/v1/external-deployments", admin, report("6.0.0", "production", "2026-09-01T10:00:00Z",
        "2026-09-01T10:05:00Z", "succeeded", List.of(commit("5555555", "2026-09-01T11:00:00Z")))), 422,
        "commits[0].committedAt");
    Map<String, Object> future = report("6.0.0", "production", "2026-09-01T10:00:00Z",
        clock.instant().plusSeconds(3600).toString(), "succeeded", null);
    assertField(post("/api/v1/external-deployments", admin, future), 422, "finishedAt");
    Map<String, Object> extra = report("6.0.0", "production", "2026-09-01T10:00:00Z", "2026-09-01T10:05:00Z",
        "succeeded", null);
    extra.put("targets", List.of("web-1"));
    Response ignored = post("/api/v1/external-deployments", admin, extra);
    assertThat(ignored.status()).isEqualTo(422);
    assertThat(ignored.text()).contains("targets");
    assertThat(count("deployments")).isEqualTo(before);

    Map<String, Object> good = report("6.0.0", "production", "2026-09-01T10:00:00Z", "2026-09-01T10:05:00Z",
        "succeeded", null);
    assertThat(post("/api/v1/external-deployments", admin, good).status()).isEqualTo(201);
    Response again = post("/api/v1/external-deployments", admin, good);
    assertThat(again.status()).isEqualTo(409);
    assertThat(count("deployments")).isEqualTo(before + 1);
  }

  @Test
  void only_a_deployer_in_the_service_and_environment_records_and_others_see_nothing_of_it() throws Exception {
    String name = "tester-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of())).json()
        .path("enrolment").path("code").asString();
    String token = post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
    assertThat(post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "deployment-practitioner",
        "service", "shop", "environment", "test")).status()).isEqualTo(201);
    long before = count("deployments");

    assertThat(post("/api/v1/external-deployments", token, report("7.0.0", "production", "2026-10-01T10:00:00Z",
        "2026-10-01T10:05:00Z", "succeeded", null)).status()).isEqualTo(403);
    // refused before the report is looked at: an outsider learns nothing from validation errors
    assertThat(post("/api/v1/external-deployments", token, report("7.0.0", "mars", "2026-10-01T10:00:00Z",
        "2026-10-01T10:05:00Z", "succeeded", null)).status()).isEqualTo(403);
    assertThat(count("deployments")).isEqualTo(before);

    Response inScope = post("/api/v1/external-deployments", token, report("7.0.0", "test", "2026-10-01T10:00:00Z",
        "2026-10-01T10:05:00Z", "succeeded", null));
    assertThat(inScope.status()).as(inScope.text()).isEqualTo(201);
    assertThat(inScope.json().path("recordedBy").asString()).isEqualTo(name);

    long elsewhere = post("/api/v1/external-deployments", admin, report("7.0.0", "production",
        "2026-10-01T10:00:00Z", "2026-10-01T10:05:00Z", "succeeded", null)).json().path("id").asLong();
    assertThat(get("/api/v1/external-deployments/" + elsewhere, token).status()).isEqualTo(404);
    assertThat(get("/api/v1/external-deployments/" + elsewhere, admin).status()).isEqualTo(200);
    assertThat(post("/api/v1/external-deployments", null, report("7.0.1", "test", "2026-10-01T10:00:00Z",
        "2026-10-01T10:05:00Z", "succeeded", null)).status()).isEqualTo(401);
  }

  static void assertField(Response r, int status, String field) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.json().path("errors").findValuesAsString("field")).as(r.text()).contains(field);
  }
}
