package io.gantry.assessment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.CapabilityRecords;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Assessments over real HTTP with the example configuration: made, judged, compared and reported as HTML and PDF
 * by deployment managers and auditors only. The storage rules run on both databases in {@link
 * AssessmentsContractTest}; this runs once, on H2.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AssessmentApiTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  /** What would make a viewer fetch something: a link, a source, a stylesheet, a script, a CSS url or import. */
  static final Pattern EXTERNAL = Pattern.compile("(?i)(\\b(src|href|srcset|action)\\s*=|<link|<script|<iframe|"
      + "<object|<embed|url\\(|@import)");

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-assessment-api-test").resolve("data"));
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
    assertThat(send("POST", "/api/v1/config/apply", admin, Map.of("files", files, "reason", "test set-up"), null)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void an_assessment_is_made_judged_compared_and_reported_as_self_contained_html_and_as_pdf() throws Exception {
    CapabilityRecords records = new CapabilityRecords(jdbc);
    Instant now = Instant.now();
    records.ended("SUCCEEDED", now.minusSeconds(3600).toString().substring(0, 16).replace('T', ' '), true);

    HttpResponse<String> created = send("POST", "/api/v1/assessments", admin, Map.of(), null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode a = JSON.readTree(created.body());
    long id = a.path("id").asLong();
    assertThat(a.path("criteria")).hasSize(14);
    JsonNode success = a.path("criteria").get(5);
    assertThat(success.path("criterion").asString()).isEqualTo("deployed-successfully");
    assertThat(success.path("judgement").asString()).isEqualTo("met");
    assertThat(success.path("decidedBy").asString()).isEqualTo("gantry");
    assertThat(a.path("level").asInt()).isGreaterThanOrEqualTo(2);

    HttpResponse<String> judged = send("PUT", "/api/v1/assessments/" + id + "/criteria/deployed-successfully", admin,
        Map.of("judgement", "partly-met", "reason", "one outage <b>hidden</b> from Gantry",
            "evidence", "PIR & minutes", "links", List.of("https://wiki.example.com/pir-7")), null);
    assertThat(judged.statusCode()).as(judged.body()).isEqualTo(200);
    assertThat(JSON.readTree(judged.body()).path("level").asInt()).isEqualTo(1);
    HttpResponse<String> bad = send("PUT", "/api/v1/assessments/" + id + "/criteria/speed", admin,
        Map.of("judgement", "met", "reason", "x"), null);
    assertThat(bad.statusCode()).isEqualTo(422);
    HttpResponse<String> unknown = send("PUT", "/api/v1/assessments/" + id + "/criteria/automated", admin,
        Map.of("judgement", "met", "reason", "x", "weight", 3), null);
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("weight");
    assertThat(send("POST", "/api/v1/assessments", admin, Map.of("since", "2026-01-01T00:00:00Z"), null).statusCode())
        .isEqualTo(422);

    long second = JSON.readTree(send("POST", "/api/v1/assessments", admin, Map.of(), null).body()).path("id").asLong();
    JsonNode compared = JSON.readTree(send("GET", "/api/v1/assessments/compare?before=" + id + "&after=" + second,
        admin, null, null).body());
    assertThat(compared.at("/before/level").asInt()).isEqualTo(1);
    assertThat(compared.path("criteria").get(5).path("change").asString()).isEqualTo("better");
    assertThat(JSON.readTree(send("GET", "/api/v1/assessments", admin, null, null).body()))
        .extracting(x -> x.path("id").asLong()).containsExactly(second, id);

    HttpResponse<String> html = send("GET", "/api/v1/assessments/" + id + "/report", admin, null, "text/html");
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(html.body()).contains("Capability level 1 of 5", "New and changed services and service components",
        "one outage &lt;b&gt;hidden&lt;/b&gt; from Gantry", "PIR &amp; minutes", "https://wiki.example.com/pir-7",
        "Made by admin", "<style>");
    assertThat(EXTERNAL.matcher(html.body()).find()).as("an external reference in the report").isFalse();

    HttpResponse<byte[]> pdf = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/assessments/" + id + "/report"))
        .header("Authorization", "Bearer " + admin).header("Accept", "application/pdf").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(pdf.statusCode()).isEqualTo(200);
    assertThat(pdf.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/pdf");
    try (PDDocument doc = Loader.loadPDF(pdf.body())) {
      // table cells wrap, so words are checked rather than whole sentences
      String text = new PDFTextStripper().getText(doc);
      assertThat(text).contains("Deployment management capability assessment #" + id, "Capability level 1 of 5",
          "outage", "hidden", "PIR &", "minutes");
    }
  }

  @Test
  void only_deployment_managers_and_auditors_everywhere_make_read_and_judge_assessments() throws Exception {
    long id = JSON.readTree(send("POST", "/api/v1/assessments", admin, Map.of(), null).body()).path("id").asLong();
    String owner = user("service-owner");
    String scoped = user(null);
    HttpResponse<String> bound = send("POST", "/api/v1/role-bindings", admin, Map.of("user", name(scoped),
        "role", "deployment-manager", "environment", "production"), null);
    assertThat(bound.statusCode()).as(bound.body()).isEqualTo(201);
    String auditor = user("auditor");

    for (String token : List.of(owner, scoped)) {
      assertThat(send("POST", "/api/v1/assessments", token, Map.of(), null).statusCode()).isEqualTo(403);
      assertThat(send("GET", "/api/v1/assessments", token, null, null).statusCode()).isEqualTo(403);
      assertThat(send("GET", "/api/v1/assessments/" + id, token, null, null).statusCode()).isEqualTo(403);
      assertThat(send("GET", "/api/v1/assessments/" + id + "/report", token, null, "text/html").statusCode())
          .isEqualTo(403);
      assertThat(send("PUT", "/api/v1/assessments/" + id + "/criteria/automated", token,
          Map.of("judgement", "met", "reason", "x"), null).statusCode()).isEqualTo(403);
    }
    assertThat(JSON.readTree(send("GET", "/api/v1/assessments/" + id, admin, null, null).body())
        .path("criteria").get(6).path("assessorJudgement").isNull()).isTrue();
    HttpResponse<String> byAuditor = send("PUT", "/api/v1/assessments/" + id + "/criteria/automated", auditor,
        Map.of("judgement", "met", "reason", "scripts run by the pipeline"), null);
    assertThat(byAuditor.statusCode()).as(byAuditor.body()).isEqualTo(200);
    assertThat(JSON.readTree(byAuditor.body()).path("criteria").get(6).path("judgedBy").asString())
        .isEqualTo(name(auditor));
    assertThat(send("GET", "/api/v1/assessments/" + (id + 1000), admin, null, null).statusCode()).isEqualTo(404);
  }

  private final Map<String, String> names = new java.util.HashMap<>();

  private String name(String token) {
    return names.get(token);
  }

  /** A new user with the role (or none) and its token. */
  private String user(String role) throws Exception {
    String name = "u-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> made = send("POST", "/api/v1/users", admin, Map.of("name", name, "roles",
        role == null ? List.of() : List.of(role)), null);
    String code = JSON.readTree(made.body()).path("enrolment").path("code").asString();
    String token = JSON.readTree(send("POST", "/api/v1/tokens", code, Map.of("name", "t"), null).body())
        .path("token").asString();
    names.put(token, name);
    return token;
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> send(String method, String path, String token, Object body, String accept)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.header("Accept", accept == null ? "application/json" : accept);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
