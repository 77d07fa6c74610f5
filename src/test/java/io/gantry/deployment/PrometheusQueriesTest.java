package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.model.PromQl;
import io.gantry.model.Stage;
import io.gantry.testing.PrometheusServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An analysis metric's query against a real Prometheus (Debian's, on loopback) scraping a small HTTP server:
 * numbers within the thresholds pass, beyond them fail, no number is inconclusive, and a hostile value in a
 * placeholder stays inside its string.
 */
class PrometheusQueriesTest {

  private static final String METRICS = """
      # TYPE app_error_ratio gauge
      app_error_ratio{target="t1"} 0.01
      app_error_ratio{target="t2"} 0.3
      app_error_ratio{target="t.3"} 0.02
      app_error_ratio{target="tx3"} 0.9
      """;

  @TempDir
  static Path dir;
  private static HttpServer app;
  private static PrometheusServer prometheus;
  private static Prometheus client;

  @BeforeAll
  static void start() throws Exception {
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/metrics", exchange -> {
      byte[] body = METRICS.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    app.start();
    prometheus = PrometheusServer.start(dir.resolve("prometheus"), List.of("127.0.0.1:" + app.getAddress().getPort()));
    prometheus.await("app_error_ratio", r -> r.size() == 4);
    client = Prometheus.of(prometheus.url(), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (app != null) {
      app.stop(0);
    }
  }

  private static Stage.Metric maxOf(double max, String query) {
    return new Stage.Metric("error-ratio", query, max, null);
  }

  @Test
  void a_value_within_the_threshold_passes_with_its_series_and_time() {
    Prometheus.Answer a = client.measure(maxOf(0.05, "app_error_ratio{target=\"t1\"}"),
        "app_error_ratio{target=\"t1\"}");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.PASSED);
    assertThat(a.values()).contains("target=\"t1\"").endsWith(" 0.01");
    assertThat(a.sampledAt()).isNotNull();
    assertThat(a.reason()).isEqualTo("within max 0.05");
  }

  @Test
  void a_value_above_max_fails_naming_the_series() {
    Prometheus.Answer a = client.measure(maxOf(0.05, "q"), "app_error_ratio{target=~\"t1|t2\"}");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.FAILED);
    assertThat(a.reason()).contains("target=\"t2\"").contains("0.3 is above max 0.05").doesNotContain("\"t1\"");
  }

  @Test
  void a_value_below_min_fails() {
    Prometheus.Answer a = client.measure(new Stage.Metric("ratio", "q", null, 0.1), "app_error_ratio{target=\"t1\"}");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.FAILED);
    assertThat(a.reason()).contains("0.01 is below min 0.1");
  }

  @Test
  void a_query_that_finds_no_series_is_inconclusive() {
    Prometheus.Answer a = client.measure(maxOf(0.05, "q"), "app_error_ratio{target=\"nowhere\"}");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(a.reason()).isEqualTo("the query found no data");
  }

  @Test
  void a_query_that_answers_nan_is_inconclusive() {
    Prometheus.Answer a = client.measure(maxOf(0.05, "q"), "app_error_ratio{target=\"t1\"} * 0 / 0");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(a.reason()).isEqualTo("the query answered NaN");
  }

  @Test
  void a_query_prometheus_refuses_is_inconclusive_with_its_error() {
    Prometheus.Answer a = client.measure(maxOf(0.05, "q"), "sum(app_error_ratio");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(a.reason()).startsWith("Prometheus refused the query: bad_data");
  }

  @Test
  void a_prometheus_that_does_not_answer_is_inconclusive() throws Exception {
    int closed;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Prometheus.Answer a = Prometheus.of("http://127.0.0.1:" + closed, Duration.ofSeconds(2))
        .measure(maxOf(0.05, "q"), "up");

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(a.reason()).contains("could not be asked");
  }

  @Test
  void an_answer_larger_than_the_limit_is_inconclusive_and_never_read_whole() throws Exception {
    HttpServer huge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    huge.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, 0);
      try (var out = exchange.getResponseBody()) {
        byte[] chunk = new byte[1 << 16];
        java.util.Arrays.fill(chunk, (byte) ' ');
        out.write("{\"status\":\"success\",\"data\":".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 0; i < (Prometheus.MAX_ANSWER_BYTES >> 16) + 2; i++) {
          out.write(chunk);
        }
      } catch (java.io.IOException e) {
        // the client stopped reading: what is wanted
      }
    });
    huge.start();
    try {
      Prometheus.Answer a = Prometheus.of("http://127.0.0.1:" + huge.getAddress().getPort(), Duration.ofSeconds(5))
          .measure(maxOf(0.05, "q"), "up");
      assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
      assertThat(a.reason()).contains("larger than 8 MB");
    } finally {
      huge.stop(0);
    }
  }

  @Test
  void a_hostile_value_stays_inside_its_string_and_matches_nothing() {
    String hostile = "x\"} or app_error_ratio{target=\"t2";
    String query = PromQl.render("app_error_ratio{target=\"${version}\"}", Map.of("version", hostile));

    Prometheus.Answer a = client.measure(maxOf(0.05, query), query);

    assertThat(a.verdict()).as("the label value is the whole hostile text, which no series carries")
        .isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(a.reason()).isEqualTo("the query found no data");
    String unescaped = "app_error_ratio{target=\"" + hostile + "\"}";
    assertThat(client.measure(maxOf(0.05, unescaped), unescaped).verdict())
        .as("unescaped, the same value would have changed the query").isEqualTo(Prometheus.Verdict.FAILED);
  }

  @Test
  void canary_target_names_match_exactly_and_a_dot_in_a_name_matches_only_a_dot() {
    String query = PromQl.render("max(app_error_ratio{target=~\"${canaryTargets}\"})",
        Map.of("canaryTargets", PromQl.anyOf(List.of("t.3", "t1"))));

    Prometheus.Answer a = client.measure(maxOf(0.05, query), query);

    assertThat(a.verdict()).as("tx3's 0.9 is not the canary's").isEqualTo(Prometheus.Verdict.PASSED);
    assertThat(a.values()).isEqualTo("0.02");
    assertThat(query).contains("\"t\\\\.3|t1\"");
  }

  /** The last few seconds, once Prometheus has scraped the test server for at least that long. */
  private static java.time.Instant[] lastSeconds(int seconds) throws Exception {
    prometheus.await("count_over_time(app_error_ratio{target=\"t1\"}[1m])",
        r -> r.size() == 1 && Double.parseDouble(r.get(0).path("value").get(1).asString()) > seconds + 1);
    java.time.Instant end = java.time.Instant.now();
    return new java.time.Instant[] {end.minusSeconds(seconds), end};
  }

  private static Stage.Metric compared(double alpha, Stage.Worse worse) {
    return new Stage.Metric("error-ratio", "q", null, null, new Stage.Baseline(alpha, worse));
  }

  @Test
  void a_canary_whose_samples_are_higher_than_the_baselines_fails_at_the_declared_alpha() throws Exception {
    var window = lastSeconds(5);

    Prometheus.Answer a = client.compare(compared(0.05, null), "app_error_ratio{target=\"t2\"}",
        "app_error_ratio{target=\"t1\"}", window[0], window[1]);

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.FAILED);
    assertThat(a.values()).startsWith("canary n=6 median 0.3; baseline n=6 median 0.01; U=36, p=");
    assertThat(a.reason()).startsWith("the canary is significantly higher than the baseline (Mann-Whitney U, "
        + "one-sided, p ").endsWith(" < alpha 0.05)");
  }

  @Test
  void a_canary_no_worse_than_the_baseline_passes() throws Exception {
    var window = lastSeconds(5);

    Prometheus.Answer better = client.compare(compared(0.05, null), "app_error_ratio{target=\"t1\"}",
        "app_error_ratio{target=\"t2\"}", window[0], window[1]);
    Prometheus.Answer same = client.compare(compared(0.05, null), "app_error_ratio{target=\"t1\"}",
        "app_error_ratio{target=\"t1\"}", window[0], window[1]);

    assertThat(better.verdict()).isEqualTo(Prometheus.Verdict.PASSED);
    assertThat(better.reason()).startsWith("the canary is not significantly higher than the baseline");
    assertThat(same.verdict()).isEqualTo(Prometheus.Verdict.PASSED);
    assertThat(same.reason()).isEqualTo("every sample is 0.01: the canary is no higher than the baseline");
  }

  @Test
  void with_worse_lower_a_canary_whose_samples_are_lower_fails() throws Exception {
    var window = lastSeconds(5);

    Prometheus.Answer a = client.compare(compared(0.05, Stage.Worse.LOWER), "app_error_ratio{target=\"t1\"}",
        "app_error_ratio{target=\"t2\"}", window[0], window[1]);

    assertThat(a.verdict()).isEqualTo(Prometheus.Verdict.FAILED);
    assertThat(a.reason()).startsWith("the canary is significantly lower than the baseline");
  }

  @Test
  void a_comparison_with_too_few_samples_or_a_baseline_without_data_is_inconclusive() throws Exception {
    var window = lastSeconds(5);

    Prometheus.Answer few = client.compare(compared(0.05, null), "app_error_ratio{target=\"t2\"}",
        "app_error_ratio{target=\"t1\"}", window[1].minusSeconds(1), window[1]);
    Prometheus.Answer none = client.compare(compared(0.05, null), "app_error_ratio{target=\"t2\"}",
        "app_error_ratio{target=\"nowhere\"}", window[0], window[1]);

    assertThat(few.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(few.reason()).isEqualTo("too few samples to compare (at least 3 on each side)");
    assertThat(none.verdict()).isEqualTo(Prometheus.Verdict.INCONCLUSIVE);
    assertThat(none.values()).endsWith("baseline n=0 median -");
  }
}
