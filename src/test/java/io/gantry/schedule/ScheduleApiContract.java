package io.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Freezes, the schedule, its iCalendar feed and the backlog over real HTTP against a booted server
 * holding the example configuration, on H2 and on PostgreSQL (the subclasses).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ScheduleApiContract.Clocks.class)
abstract class ScheduleApiContract {

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
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-schedule-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Value("${gantry.data-dir}") Path dataDir;
  String admin;

  record Response(int status, String contentType, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  @BeforeEach
  void applyExamples() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    List<Map<String, String>> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
    Response applied = send("POST", "/api/v1/config/apply", admin, Map.of("files", files, "reason", "test set-up"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  @Test
  void a_deployment_manager_declares_lists_and_removes_freezes_and_bad_ones_change_nothing() throws Exception {
    int before = send("GET", "/api/v1/freezes", admin, null).json().size();

    Response created = send("POST", "/api/v1/freezes", admin, Map.of("name", "quarter-end", "reason",
        "close of books", "environment", "production", "recurrence", "weekly", "days", List.of("fri"), "from", "16:00",
        "to", "23:00", "timeZone", "Europe/London"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode freeze = created.json();
    assertThat(freeze.path("scope").asString()).isEqualTo("environment production");
    assertThat(freeze.path("schedule").asString()).isEqualTo("every week fri 16:00-23:00 Europe/London");
    assertThat(freeze.path("declaredBy").asString()).isEqualTo("admin");

    Response bad = send("POST", "/api/v1/freezes", admin, Map.of("name", "x", "reason", "y", "environment", "mars",
        "recurrence", "yearly", "from", "13-01", "to", "01-02", "timeZone", "Europe/Nowhere"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.contentType()).startsWith("application/problem+json");
    assertThat(bad.json().path("errors").findValuesAsString("field")).containsExactly("environment", "from",
        "timeZone");
    assertThat(send("GET", "/api/v1/freezes", admin, null).json().size()).isEqualTo(before + 1);

    String auditor = user("auditor");
    assertThat(send("POST", "/api/v1/freezes", auditor, Map.of("name", "x", "reason", "y", "from",
        "2030-01-01T00:00:00Z", "to", "2030-01-02T00:00:00Z")).status()).isEqualTo(403);
    assertThat(send("GET", "/api/v1/freezes", auditor, null).status()).isEqualTo(200);

    long id = freeze.path("id").asLong();
    Response noReason = send("DELETE", "/api/v1/freezes/" + id, admin, null);
    assertThat(noReason.status()).isEqualTo(422);
    assertThat(noReason.json().path("errors").get(0).path("field").asString()).isEqualTo("reason");
    Response removed = send("DELETE", "/api/v1/freezes/" + id + "?reason=" + enc("quarter closed early"), admin, null);
    assertThat(removed.status()).isEqualTo(200);
    assertThat(removed.json().path("removedReason").asString()).isEqualTo("quarter closed early");
    assertThat(send("DELETE", "/api/v1/freezes/" + id + "?reason=again", admin, null).status()).isEqualTo(409);
    assertThat(send("GET", "/api/v1/freezes", admin, null).json().size()).isEqualTo(before);
    assertThat(send("GET", "/api/v1/freezes?all=true", admin, null).json().findValuesAsString("name"))
        .contains("quarter-end");
    assertThat(send("GET", "/api/v1/freezes/999999", admin, null).status()).isEqualTo(404);
  }

  @Test
  void the_schedule_shows_planned_deployments_windows_freezes_and_conflicts_and_its_feed_is_icalendar()
      throws Exception {
    String v = "1.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
    push("app-config", v);
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant at = now.plus(Duration.ofDays(2));
    Response deployed = send("POST", "/api/v1/deployments", admin, Map.of("component", "shop/app-config", "version", v,
        "environment", "dev", "at", at.toString(), "plannedEnd", at.plus(Duration.ofMinutes(30)).toString(),
        "priority", 3));
    assertThat(deployed.status()).as(deployed.text()).isEqualTo(201);
    long id = deployed.json().path("id").asLong();
    assertThat(send("POST", "/api/v1/freezes", admin, Map.of("name", "board-meeting", "reason", "no changes today",
        "service", "shop", "from", at.minus(Duration.ofHours(1)).toString(), "to", at.plus(Duration.ofHours(1))
            .toString())).status()).isEqualTo(201);

    String period = "?from=" + enc(now.toString()) + "&to=" + enc(now.plus(Duration.ofDays(8)).toString());
    JsonNode schedule = send("GET", "/api/v1/schedule" + period, admin, null).json();

    JsonNode placed = null;
    for (JsonNode d : schedule.path("deployments")) {
      if (d.path("id").asLong() == id) {
        placed = d;
      }
    }
    assertThat(placed).isNotNull();
    assertThat(placed.path("start").asString()).as("planned inside the freeze, it is placed at the freeze's end")
        .isEqualTo(at.plus(Duration.ofHours(1)).toString());
    assertThat(placed.path("planned").asBoolean()).isTrue();
    assertThat(placed.path("priority").asInt()).isEqualTo(3);
    assertThat(schedule.path("windows").findValuesAsString("environment")).contains("production");
    assertThat(schedule.path("freezes").findValuesAsString("name")).contains("board-meeting");
    List<String> conflicts = schedule.path("conflicts").findValuesAsString("message");
    assertThat(conflicts).anySatisfy(m -> assertThat(m).startsWith("deployment #" + id + " of shop/app-config " + v
        + " in dev").contains("is planned inside freeze").contains("board-meeting"));
    assertThat(conflicts).anySatisfy(m -> assertThat(m).startsWith("deployment #" + id).contains("requires "
        + "shop/web >=1.0.0, <2.0.0, which dev does not have"));
    JsonNode events = send("GET", "/api/v1/deployments/" + id + "/events", admin, null).json();
    assertThat(events.findValuesAsString("kind")).contains("CONFLICT");

    Response ics = send("GET", "/api/v1/schedule.ics" + period, admin, null);
    assertThat(ics.status()).isEqualTo(200);
    assertThat(ics.contentType()).startsWith("text/calendar");
    assertThat(ics.text()).startsWith("BEGIN:VCALENDAR\r\n").endsWith("END:VCALENDAR\r\n")
        .contains("UID:deployment-" + id + "@gantry\r\n").contains("CATEGORIES:FREEZE\r\n")
        .contains("CATEGORIES:WINDOW,production\r\n");
    assertThat(send("GET", "/api/v1/schedule.ics", admin, null).status()).isEqualTo(200);
  }

  @Test
  void an_unbounded_inverted_or_too_long_schedule_is_refused() throws Exception {
    Response unbounded = send("GET", "/api/v1/schedule?from=2026-03-01", admin, null);
    assertThat(unbounded.status()).isEqualTo(422);
    assertThat(unbounded.json().path("errors").get(0).path("field").asString()).isEqualTo("to");
    assertThat(unbounded.json().path("detail").asString()).contains("bounded period");

    Response inverted = send("GET", "/api/v1/schedule?from=2026-03-09&to=2026-03-01", admin, null);
    assertThat(inverted.status()).isEqualTo(422);
    assertThat(inverted.json().path("detail").asString()).contains("before it starts");

    Response tooLong = send("GET", "/api/v1/schedule?from=2026-01-01&to=2027-06-01", admin, null);
    assertThat(tooLong.status()).isEqualTo(422);
    assertThat(tooLong.json().path("detail").asString()).contains("at most 366 days");
    assertThat(send("GET", "/api/v1/schedule.ics?from=2026-03-09&to=2026-03-01", admin, null).status())
        .isEqualTo(422);
  }

  @Test
  void the_queue_lists_waiting_deployments_by_environment_and_component_and_refuses_a_bad_component()
      throws Exception {
    String v = "2.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
    push(v);
    Instant at = clock.instant().plus(Duration.ofDays(3));
    long id = send("POST", "/api/v1/deployments", admin, Map.of("component", "shop/web", "version", v,
        "environment", "dev", "at", at.toString())).json().path("id").asLong();

    JsonNode queues = send("GET", "/api/v1/queue?environment=dev&component=shop/web", admin, null).json();

    assertThat(queues).hasSize(1);
    assertThat(queues.get(0).path("environment").asString()).isEqualTo("dev");
    assertThat(queues.get(0).path("component").asString()).isEqualTo("shop/web");
    assertThat(queues.get(0).path("items").findValuesAsString("plannedStart")).isNotEmpty();
    assertThat(queues.get(0).path("items").findValues("id").stream().map(JsonNode::asLong)).contains(id);

    Response bad = send("GET", "/api/v1/queue?component=web", admin, null);
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().path("errors").get(0).path("field").asString()).isEqualTo("component");
  }

  // --- helpers

  private String user(String role) throws Exception {
    String name = role + "-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = send("POST", "/api/v1/users", admin, Map.of("name", name, "roles", List.of(role)));
    assertThat(created.status()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    return send("POST", "/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
  }

  private void push(String version) throws Exception {
    push("web", version);
  }

  private void push(String component, String version) throws Exception {
    String boundary = "gantry" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(Map.of("version", version)) + "\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"app.sh\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\necho hi\r\n--" + boundary + "--\r\n";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/services/shop/components/" + component + "/versions"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Response send(String method, String path, String token, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }
}
