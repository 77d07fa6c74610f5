package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.deployment.Deployments;
import io.gantry.testing.TestDatabase;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scrape of a running server's {@code /actuator/prometheus} after deployments ended in every
 * environment of the examples, with waits and a rollback: what {@code promtool check metrics} (Debian's
 * {@code prometheus} package) says of it, and its size. Once, on H2: the endpoint reads no database of
 * its own beyond the counts the meters' tests cover on both.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PrometheusScrapeTest {

  /**
   * The bound on one scrape. Measured with this test's records (nine deployments ended in four
   * environments: 55 histogram series): 70,117 bytes, 795 lines, 385 bucket lines. Before Gantry's
   * histograms had a few fixed buckets and io.gantry.observability.PrometheusMeters dropped the
   * meters nobody relied on, the same records gave 460,516
   * bytes, 4,394 lines and 3,795 bucket lines, and promtool exited 3.
   */
  static final int MAX_BYTES = 80_000;

  static final HttpClient HTTP = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    MetricsApiContract.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired DeploymentMeters meters;
  @Autowired Deployments deployments;
  @Autowired Clock clock;
  @Value("${gantry.data-dir}") Path dataDir;

  @Test
  void the_scrape_passes_promtool_without_a_warning_and_stays_small() throws Exception {
    String admin = io.gantry.testing.AdminToken.of(dataDir);
    List<Map<String, String>> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
    var applied = send(HttpRequest.newBuilder(uri("/api/v1/config/apply")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JsonMapper.builder()
            .build().writeValueAsString(Map.of("files", files, "reason", "test set-up")))));
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    Records records = new Records(jdbc);
    List<Long> ended = new ArrayList<>();
    int day = 1;
    for (String environment : List.of("dev", "test", "staging", "production")) {
      String d = "2026-06-%02d ".formatted(day++);
      ended.add(records.deployment("shop", "web", "1.0", environment, "in-house-software", "admin", d + "10:00")
          .waitFor(WaitKind.APPROVAL, d + "10:00").to("PLANNED", d + "10:20").to("COMPONENTS_VERIFIED", d + "10:21")
          .to("ENVIRONMENT_VERIFIED", d + "10:22").to("EXECUTING", d + "10:23").waitFor(WaitKind.MANUAL, d + "10:30")
          .step(d + "10:40").to("VERIFYING", d + "10:50").to("SUCCEEDED", d + "11:00").id);
      ended.add(records.deployment("shop", "web", "1.1", environment, "in-house-software", "admin", d + "12:00")
          .waitFor(WaitKind.LOCK, d + "12:00").runTo(d + "12:05").to("FAILED", d + "12:30").id);
    }
    ended.add(records.deployment("shop", "web", "1.2", "production", "in-house-software", "admin", "2026-06-09 10:00")
        .runTo("2026-06-09 10:00").to("ROLLING_BACK", "2026-06-09 10:10").to("ROLLED_BACK", "2026-06-09 10:20").id);
    for (long id : ended) {
      meters.finished(deployments.get(id), clock.instant());
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(scrape(admin)).contains("gantry_deployment_activity_process_seconds_count{activity=\"rollback\""));

    String scrape = scrape(admin);
    Path saved = Path.of("target", "prometheus-scrape.txt");
    Files.writeString(saved, scrape);
    Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true)
        .redirectInput(saved.toFile()).start();
    String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long buckets = scrape.lines().filter(l -> l.contains("_bucket{")).count();
    System.out.printf("scrape: %d bytes, %d lines, %d bucket lines%n", scrape.getBytes(StandardCharsets.UTF_8).length,
        scrape.lines().count(), buckets);

    assertThat(said).as("promtool check metrics").isEmpty();
    assertThat(promtool.exitValue()).isZero();
    assertThat(scrape.getBytes(StandardCharsets.UTF_8).length).isLessThan(MAX_BYTES);
    long histograms = scrape.lines().filter(l -> l.startsWith("gantry_") && l.contains("_seconds_count{")).count();
    assertThat(buckets).as("the bucket lines: six bounds and +Inf per series").isEqualTo(7 * histograms);
    // Gantry's own families are all there, with the buckets of each histogram
    assertThat(scrape).contains("gantry_deployments_ended_total{outcome=\"rolled_back\"} 1.0")
        .contains("gantry_deployments_queued{state=\"requested\"}").contains("gantry_deployments_waiting{kind=\"lock\"}")
        .contains("gantry_incidents_open ")
        .contains("gantry_deployment_lead_time_seconds_bucket{environment=\"production\",outcome=\"succeeded\",le=\"")
        .contains("gantry_deployment_run_time_seconds_count{environment=\"production\",outcome=\"rolled_back\"} 1")
        .contains("gantry_deployment_wait_seconds_sum{environment=\"dev\",kind=\"approval\"} 1200.0")
        .contains("gantry_deployment_activity_process_seconds_count{activity=\"execution\",environment=\"test\"} 2");
  }

  private String scrape(String token) throws IOException, InterruptedException {
    var r = send(HttpRequest.newBuilder(uri("/actuator/prometheus")).header("Authorization", "Bearer " + token).GET());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
