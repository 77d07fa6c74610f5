package io.gantry.cli;

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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/audit/verify} and {@code gantry audit verify} against a real server with the
 * example configuration applied (its model versions and the apply itself are history), with history
 * rows tampered with directly in its database; run on H2 and PostgreSQL by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "gantry.audit.late-commit-grace=1s")
abstract class AuditContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-audit-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired DataSource dataSource;
  @TempDir Path dir;

  String admin;
  CliRunner gantry;

  abstract boolean refusesEdits();

  @BeforeEach
  void applyExamples() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    List<Map<String, String>> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
    assertThat(post("/api/v1/config/apply", admin, Map.of("files", files, "reason", "audit test " + UUID.randomUUID()))
        .statusCode()).isEqualTo(200);
    gantry = new CliRunner(dir).server("http://127.0.0.1:" + port);
  }

  @Test
  void a_deployment_manager_and_an_auditor_verify_the_records_and_other_roles_may_not() throws Exception {
    HttpResponse<String> verified = get("/api/v1/audit/verify", admin);
    assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
    JsonNode v = JSON.readTree(verified.body());
    assertThat(v.path("intact").asBoolean()).as(verified.body()).isTrue();
    assertThat(v.path("entries").asLong()).isGreaterThan(1);

    assertThat(get("/api/v1/audit/verify", user("auditor")).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/audit/verify", user("supplier")).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/audit/verify", user("deployment-practitioner")).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/audit/verify", null).statusCode()).isEqualTo(401);
  }

  @Test
  void the_server_seals_new_history_within_seconds_without_being_asked() {
    JdbcClient jdbc = JdbcClient.create(dataSource);
    jdbc.sql("""
        insert into config_applies (author, reason, created_at, summary)
        values ('admin', 'written as the configuration module writes it', current_timestamp, '{}')
        """).update();
    long apply = jdbc.sql("select max(id) from config_applies").query(Long.class).single();

    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jdbc.sql(
        "select count(*) from audit_chain where table_name = 'config_applies' and row_id = :id").param("id", apply)
        .query(Long.class).single() == 1);
  }

  @Test
  void gantry_audit_verify_says_the_chain_holds_and_exits_0() {
    gantry.env.put("GANTRY_TOKEN", admin);

    CliRunner.Result result = gantry.run("audit", "verify");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("The audit chain holds: ");
  }

  @Test
  void an_edited_model_version_is_named_by_the_api_and_by_gantry_audit_verify_which_exits_10() throws Exception {
    JdbcClient jdbc = JdbcClient.create(dataSource);
    assertThat(JSON.readTree(get("/api/v1/audit/verify", admin).body()).path("intact").asBoolean()).isTrue();
    long id = jdbc.sql("select min(id) from model_versions").query(Long.class).single();
    String reason = jdbc.sql("select reason from model_versions where id = :id").param("id", id)
        .query(String.class).single();

    String edit = "update model_versions set reason = 'approved by the board' where id = " + id;
    if (refusesEdits()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.sql(edit).update()).rootCause()
          .hasMessageContaining("model_versions is append-only history");
    }
    try {
      pastTheRefusal(jdbc, "model_versions", edit);
      verifiesWithTheEditNamed(id);
    } finally {
      // the server and its database serve the other tests of the class
      pastTheRefusal(jdbc, "model_versions",
          "update model_versions set reason = '" + reason.replace("'", "''") + "' where id = " + id);
    }
    assertThat(JSON.readTree(get("/api/v1/audit/verify", admin).body()).path("intact").asBoolean()).isTrue();
  }

  @Test
  void a_deleted_configuration_apply_is_named_by_gantry_audit_verify() throws Exception {
    JdbcClient jdbc = JdbcClient.create(dataSource);
    jdbc.sql("""
        insert into config_applies (author, reason, created_at, summary)
        values ('admin', 'to be deleted', current_timestamp, '{"applied": 3}')
        """).update();
    long id = jdbc.sql("select max(id) from config_applies").query(Long.class).single();
    assertThat(JSON.readTree(get("/api/v1/audit/verify", admin).body()).path("intact").asBoolean()).isTrue();
    Map<String, Object> row = jdbc.sql("select * from config_applies where id = :id").param("id", id).query()
        .singleRow();

    pastTheRefusal(jdbc, "config_applies", "delete from config_applies where id = " + id);
    try {
      gantry.env.put("GANTRY_TOKEN", admin);
      CliRunner.Result result = gantry.run("audit", "verify");
      assertThat(result.exitCode()).isEqualTo(10);
      assertThat(result.err()).contains("first: deleted config_applies #" + id);
    } finally {
      jdbc.sql("""
          insert into config_applies (id, author, reason, created_at, summary)
          values (:id, :author, :reason, :created_at, :summary)
          """).params(row).update();
    }
    assertThat(JSON.readTree(get("/api/v1/audit/verify", admin).body()).path("intact").asBoolean()).isTrue();
  }

  @Test
  void a_configuration_apply_inserted_below_those_sealed_is_named_by_gantry_audit_verify() throws Exception {
    JdbcClient jdbc = JdbcClient.create(dataSource);
    assertThat(JSON.readTree(get("/api/v1/audit/verify", admin).body()).path("intact").asBoolean()).isTrue();
    // the ids below the first sealed stay open for late commits for the grace (1s here), then close
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jdbc.sql(
        "select count(*) from audit_gaps where table_name = 'config_applies' and first_id < 1").query(Long.class)
        .single() == 0);
    long id = -1 - Math.abs(UUID.randomUUID().getLeastSignificantBits() % 1_000_000);

    jdbc.sql("""
        insert into config_applies (id, author, reason, created_at, summary)
        values (:id, 'admin', 'backdated', current_timestamp, '{}')
        """).param("id", id).update();
    try {
      gantry.env.put("GANTRY_TOKEN", admin);
      CliRunner.Result result = gantry.run("audit", "verify");
      assertThat(result.exitCode()).isEqualTo(10);
      assertThat(result.err()).contains("first: inserted-out-of-order config_applies #" + id);
    } finally {
      pastTheRefusal(jdbc, "config_applies", "delete from config_applies where id = " + id);
    }
    assertThat(JSON.readTree(get("/api/v1/audit/verify", admin).body()).path("intact").asBoolean()).isTrue();
  }

  /** The statement as the tables' owner runs it, with the table's triggers (on PostgreSQL) off. */
  private void pastTheRefusal(JdbcClient jdbc, String table, String sql) {
    if (refusesEdits()) {
      jdbc.sql("alter table " + table + " disable trigger user").update();
    }
    try {
      jdbc.sql(sql).update();
    } finally {
      if (refusesEdits()) {
        jdbc.sql("alter table " + table + " enable trigger user").update();
      }
    }
  }

  private void verifiesWithTheEditNamed(long id) throws Exception {
    JsonNode v = JSON.readTree(get("/api/v1/audit/verify", admin).body());
    assertThat(v.path("intact").asBoolean()).isFalse();
    JsonNode first = v.path("problems").path(0);
    assertThat(first.path("problem").asString()).isEqualTo("edited");
    assertThat(first.path("table").asString()).isEqualTo("model_versions");
    assertThat(first.path("id").asLong()).isEqualTo(id);

    gantry.env.put("GANTRY_TOKEN", admin);
    CliRunner.Result result = gantry.run("audit", "verify");
    assertThat(result.exitCode()).isEqualTo(10);
    assertThat(result.out()).contains("edited").contains("model_versions");
    assertThat(result.err()).contains("first: edited model_versions #" + id);
  }

  /** A new user with the role, and a token for them. */
  String user(String role) throws Exception {
    String name = role + "-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of(role)));
    assertThat(created.statusCode()).isEqualTo(201);
    String code = JSON.readTree(created.body()).path("enrolment").path("code").asString();
    return JSON.readTree(post("/api/v1/tokens", code, Map.of("name", "t")).body()).path("token").asString();
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> post(String path, String token, Object body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
