package io.gantry.improvement;

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
import java.sql.Timestamp;
import java.time.Instant;
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
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reviews, failures and initiatives over real HTTP, on a server started on a random port with the example
 * configuration; run on H2 and PostgreSQL by the subclasses. Deployments are written straight into the server's
 * database as ended ones (the engine never sees them), so every expected figure can be worked out by hand.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ImprovementApiContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String MODEL = "in-house-software";

  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-improvement-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
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

  @Test
  void reviews_and_failures_are_written_and_read_only_within_the_callers_scopes() throws Exception {
    long production = deployment("production", "FAILED", "2026-02-02T10:00:00Z", 900, MODEL, 1,
        "npm ERR! connect ECONNREFUSED 10.0.0.4:8080");
    long staging = deployment("staging", "FAILED", "2026-02-03T10:00:00Z", 900, MODEL, 1,
        "cp: cannot stat '/tmp/x-1/a.sql': No such file or directory");
    var stagingManager = user(List.of());
    Response bound = post("/api/v1/role-bindings", admin, Map.of("user", stagingManager.getKey(),
        "role", "deployment-manager", "environment", "staging"));
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    String managerToken = stagingManager.getValue();
    String ownerToken = user(List.of("service-owner")).getValue();

    // bad input changes nothing
    Response unknownOwner = post("/api/v1/deployments/" + staging + "/review", managerToken, Map.of(
        "whatHappened", "the file was missing", "causes", "packaging",
        "followUps", List.of(Map.of("action", "check the package", "owner", "nobody-" + UUID.randomUUID(),
            "due", "2026-02-10"))));
    assertThat(unknownOwner.status()).as(unknownOwner.text()).isEqualTo(422);
    assertThat(unknownOwner.json().path("errors").get(0).path("field").asString()).isEqualTo("followUps[0].owner");
    Response badDay = post("/api/v1/deployments/" + staging + "/review", managerToken, Map.of(
        "whatHappened", "x", "causes", "y", "followUps", List.of(Map.of("action", "a", "owner", "admin",
            "due", "10/02/2026"))));
    assertThat(badDay.status()).isEqualTo(422);
    assertThat(jdbc.sql("select count(*) from deployment_reviews").query(Long.class).single()).isZero();

    // the staging manager reviews in staging, not in production
    Response written = post("/api/v1/deployments/" + staging + "/review", managerToken, Map.of(
        "whatHappened", "the file was missing", "causes", "packaging",
        "followUps", List.of(Map.of("action", "check the package", "owner", "admin", "due", "2026-02-10"))));
    assertThat(written.status()).as(written.text()).isEqualTo(201);
    assertThat(written.json().path("followUps").get(0).path("overdue").asBoolean()).isTrue();
    assertThat(written.json().path("followUps").get(0).path("state").asString()).isEqualTo("open");
    assertThat(post("/api/v1/deployments/" + production + "/review", managerToken, Map.of("whatHappened", "x",
        "causes", "y")).status()).isEqualTo(403);
    assertThat(post("/api/v1/deployments/" + production + "/review", admin, Map.of("whatHappened", "refused",
        "causes", "port", "followUps", List.of(Map.of("action", "open the port", "owner", "admin",
            "due", "2026-02-11")))).status()).isEqualTo(201);
    assertThat(get("/api/v1/deployments/" + production + "/review", managerToken).status()).isEqualTo(403);

    // a service owner reads reviews but does not write them
    assertThat(get("/api/v1/deployments/" + staging + "/review", ownerToken).status()).isEqualTo(200);
    assertThat(post("/api/v1/deployments/" + staging + "/review/followups", ownerToken, Map.of("action", "a",
        "owner", "admin", "due", "2026-03-01")).status()).isEqualTo(403);

    // follow-ups and failures: the staging manager sees staging's only
    assertThat(get("/api/v1/followups?overdue=true", admin).json()).hasSize(2);
    JsonNode seen = get("/api/v1/followups?owner=admin", managerToken).json();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).path("deployment").asLong()).isEqualTo(staging);
    JsonNode all = get("/api/v1/failures?from=2026-02-01&to=2026-02-28", admin).json();
    assertThat(all.path("failures").asLong()).isEqualTo(2);
    JsonNode mine = get("/api/v1/failures?from=2026-02-01&to=2026-02-28&by=target", managerToken).json();
    assertThat(mine.path("failures").asLong()).isEqualTo(1);
    assertThat(mine.path("groups").get(0).path("deployments").get(0).asLong()).isEqualTo(staging);
    Response badBy = get("/api/v1/failures?from=2026-02-01&to=2026-02-28&by=colour", admin);
    assertThat(badBy.status()).isEqualTo(422);

    // only a deployment manager of the organization keeps the initiative register
    Map<String, Object> initiative = Map.of("title", "t", "description", "d", "owner", "admin",
        "expectedEffect", "e", "kpi", "failure-count", "direction", "down");
    assertThat(post("/api/v1/initiatives", managerToken, initiative).status()).isEqualTo(403);
    assertThat(get("/api/v1/initiatives", ownerToken).status()).isEqualTo(200);
  }

  @Test
  void an_initiatives_effect_compares_its_kpis_before_and_after_its_model_version_came_into_force()
      throws Exception {
    // version 2 came into force on 1 June; windows of 10 days: [22 May, 1 June) and [1 June, 11 June)
    jdbc.sql("""
        insert into model_versions (model_id, number, spec, spec_digest, author, reason, created_at, diff)
        select model_id, 2, spec, spec_digest, author, 'faster checks', :at, '' from model_versions
         where number = 1 and model_id = (select id from deployment_models where name = :m)
        """).param("at", Timestamp.from(Instant.parse("2026-06-01T00:00:00Z"))).param("m", MODEL).update();
    jdbc.sql("""
        insert into model_version_states (model_id, number, state, in_force_at, in_force_note)
        values ((select id from deployment_models where name = :m), 2, 'in-force', :at, 'test')
        """).param("at", Timestamp.from(Instant.parse("2026-06-01T00:00:00Z"))).param("m", MODEL).update();
    // before: 2 succeeded (lead 600 s, 1200 s), 2 failed -> success 50.0 %, 2 failures, median lead 900 s
    deployment("test", "SUCCEEDED", "2026-05-23T10:00:00Z", 600, MODEL, 1, null);
    deployment("test", "SUCCEEDED", "2026-05-25T10:00:00Z", 1200, MODEL, 1, null);
    deployment("test", "FAILED", "2026-05-26T10:00:00Z", 300, MODEL, 1, "error: refused");
    deployment("test", "FAILED", "2026-05-31T10:00:00Z", 300, MODEL, 1, "error: refused");
    // after: 4 succeeded (lead 300, 300, 600, 900 s), 1 failed -> success 80.0 %, 1 failure, median lead 450 s
    deployment("test", "SUCCEEDED", "2026-06-01T10:00:00Z", 300, MODEL, 2, null);
    deployment("test", "SUCCEEDED", "2026-06-02T10:00:00Z", 300, MODEL, 2, null);
    deployment("test", "SUCCEEDED", "2026-06-03T10:00:00Z", 600, MODEL, 2, null);
    deployment("test", "SUCCEEDED", "2026-06-04T10:00:00Z", 900, MODEL, 2, null);
    deployment("test", "FAILED", "2026-06-05T10:00:00Z", 300, MODEL, 2, "error: refused");
    // not counted: another model's failure in the window after, and this model's failure before both windows
    deployment("test", "FAILED", "2026-06-06T10:00:00Z", 300, "hardware", 1, "error: refused");
    deployment("test", "FAILED", "2026-05-01T10:00:00Z", 300, MODEL, 1, "error: refused");

    Response added = post("/api/v1/initiatives", admin, Map.of("title", "faster health checks",
        "description", "poll the health endpoint every 2 s", "owner", "admin", "expectedEffect",
        "fewer failed deployments", "kpi", "failure-count", "direction", "down", "windowDays", 10));
    assertThat(added.status()).as(added.text()).isEqualTo(201);
    long id = added.json().path("id").asLong();
    String path = "/api/v1/initiatives/" + id;
    assertThat(post(path + "/links", admin, Map.of("kind", "kpi", "ref", "success-rate")).status()).isEqualTo(200);
    assertThat(post(path + "/links", admin, Map.of("kind", "kpi", "ref", "lead-time")).status()).isEqualTo(200);
    assertThat(post(path + "/links", admin, Map.of("kind", "model-version", "ref", MODEL + ":9")).status())
        .isEqualTo(422);
    assertThat(post(path + "/links", admin, Map.of("kind", "model-version", "ref", MODEL + ":2")).status())
        .isEqualTo(200);

    // not implemented yet: refused, and a skipped state is refused too
    assertThat(post(path + "/evaluation", admin, Map.of("reason", "now")).status()).isEqualTo(409);
    Response skipped = post(path + "/moves", admin, Map.of("to", "implemented", "reason", "skip"));
    assertThat(skipped.status()).isEqualTo(409);
    assertThat(skipped.json().path("detail").asString()).contains("proposed and cannot become implemented");
    assertThat(post(path + "/moves", admin, Map.of("to", "evaluated", "reason", "x")).status()).isEqualTo(422);
    for (String to : List.of("approved", "in-progress", "implemented")) {
      Response moved = post(path + "/moves", admin, Map.of("to", to, "reason", "on to " + to));
      assertThat(moved.status()).as(moved.text()).isEqualTo(200);
    }

    Response evaluated = post(path + "/evaluation", admin, Map.of("reason", "ten days after"));
    assertThat(evaluated.status()).as(evaluated.text()).isEqualTo(200);
    assertThat(evaluated.json().path("state").asString()).isEqualTo("evaluated");
    assertThat(effects(evaluated.json())).containsExactly(
        "failure-count 2.0 (4) -> 1.0 (5) down as expected true",
        "success-rate 50.0 (4) -> 80.0 (5) up as expected null",
        "lead-time 900.0 (2) -> 450.0 (4) down as expected null");
    assertThat(evaluated.json().path("effects").get(0).path("inForceAt").asString())
        .isEqualTo("2026-06-01T00:00:00Z");

    // stored, not recomputed: a failure recorded later in the window after does not change it
    deployment("test", "FAILED", "2026-06-07T10:00:00Z", 300, MODEL, 2, "error: refused");
    assertThat(effects(get(path, admin).json())).first().isEqualTo("failure-count 2.0 (4) -> 1.0 (5) down as "
        + "expected true");
    assertThat(post(path + "/evaluation", admin, Map.of("reason", "again")).status()).isEqualTo(409);
  }

  private static List<String> effects(JsonNode initiative) {
    return java.util.stream.StreamSupport.stream(initiative.path("effects").spliterator(), false)
        .map(e -> e.path("kpi").asString() + " " + e.path("before").asDouble() + " (" + e.path("beforeBasis").asLong()
            + ") -> " + e.path("after").asDouble() + " (" + e.path("afterBasis").asLong() + ") "
            + e.path("movement").asString() + " as expected " + (e.path("asExpected").isNull() ? "null"
            : e.path("asExpected").asBoolean())).toList();
  }

  /**
   * An ended deployment of shop/web, requested {@code leadSeconds} before it ended; a failed one has a target run
   * on web-1 whose install step failed printing {@code output}.
   */
  long deployment(String environment, String state, String end, int leadSeconds, String model, int modelVersion,
      String output) {
    Instant finished = Instant.parse(end);
    Instant requested = finished.minusSeconds(leadSeconds);
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into deployments (service, component, version, environment, model, model_version, stage, state,
                                 requested_by, requested_at, reason, started_at, finished_at, outcome, kind,
                                 priority, row_version)
        values ('shop', 'web', '1.0', :e, :m, :v, 'main', :s, 'admin', :r, 'test', :r, :f, :s, 'DEPLOY', 0, 0)
        """).param("e", environment).param("m", model).param("v", modelVersion).param("s", state)
        .param("r", Timestamp.from(requested)).param("f", Timestamp.from(finished)).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    for (var t : List.of(Map.entry("REQUESTED", requested), Map.entry("EXECUTING", requested),
        Map.entry(state, finished))) {
      jdbc.sql("""
          insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
          values (:d, :at, 'TRANSITION', :to, 'gantry', '')
          """).param("d", id).param("at", Timestamp.from(t.getValue())).param("to", t.getKey()).update();
    }
    if (output != null) {
      var run = new GeneratedKeyHolder();
      jdbc.sql("""
          insert into target_runs (deployment_id, target, batch, state, started_at, finished_at, row_version)
          values (:d, 'web-1', 1, 'FAILED', :r, :f, 0)
          """).param("d", id).param("r", Timestamp.from(requested)).param("f", Timestamp.from(finished))
          .update(run, "id");
      jdbc.sql("""
          insert into step_runs (target_run_id, phase, step_index, step_name, step_type, idempotent, attempt, state,
                                 started_at, finished_at, output, outcome)
          values (:t, 'execute', 0, 'install', 'shell', true, 1, 'FAILED', :r, :f, :o, 'exit code 1')
          """).param("t", run.getKeyAs(Number.class).longValue()).param("r", Timestamp.from(requested))
          .param("f", Timestamp.from(finished)).param("o", output).update();
    }
    return id;
  }

  /** A new user holding {@code roles} as its own, and its token, through its enrolment. */
  Map.Entry<String, String> user(List<String> roles) throws Exception {
    String name = "u-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", roles));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    return Map.entry(name, post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString());
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
    return send(HttpRequest.newBuilder(uri(path)).GET().header("Authorization", "Bearer " + token));
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
