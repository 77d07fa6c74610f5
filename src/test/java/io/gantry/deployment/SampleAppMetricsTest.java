package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.model.PromQl;
import io.gantry.model.Stage;
import io.gantry.testing.PrometheusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample app's {@code /metrics}, scraped by a real Prometheus: a version with {@code error_share} set
 * answers that share of its pages with 500 and counts them, so the README's error-rate query fails it against
 * a threshold that a good version passes.
 */
class SampleAppMetricsTest {

  private static final String QUERY = "sum(sample_app_errors_total{version=\"${version}\"}) "
      + "/ sum(sample_app_requests_total{version=\"${version}\"})";

  @TempDir
  Path dir;
  private final List<Process> apps = new java.util.ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    for (Process p : apps) {
      p.destroy();
      p.waitFor();
    }
  }

  private int start(String version, String errorShare) throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path props = dir.resolve(version + ".properties");
    Files.writeString(props, "port=" + port + "\nversion=" + version + "\nerror_share=" + errorShare + "\n");
    Process p = new ProcessBuilder("/usr/bin/python3", Path.of("examples/sample-app/app.py").toAbsolutePath()
        .toString(), props.toString()).redirectErrorStream(true).redirectOutput(dir.resolve(version + ".log").toFile())
        .start();
    apps.add(p);
    for (int i = 0; i < 100; i++) {
      try {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.discarding());
        return port;
      } catch (java.io.IOException e) {
        p.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
    throw new IllegalStateException("the sample app did not start: " + Files.readString(dir.resolve(version + ".log")));
  }

  private int pages(int port, int n) throws Exception {
    int errors = 0;
    for (int i = 0; i < n; i++) {
      int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      errors += status == 500 ? 1 : 0;
    }
    return errors;
  }

  @Test
  void a_version_that_fails_a_share_of_its_pages_fails_the_error_rate_a_good_version_passes() throws Exception {
    int good = start("1.0.0", "0");
    int bad = start("1.1.0", "0.5");
    assertThat(pages(good, 20)).isZero();
    assertThat(pages(bad, 20)).isEqualTo(10);

    try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"),
        List.of("127.0.0.1:" + good, "127.0.0.1:" + bad))) {
      prometheus.await("sum(sample_app_requests_total)", r -> r.size() == 1
          && r.get(0).path("value").get(1).asString().equals("42")); // 20 pages and the health check that saw it start, each
      Prometheus client = Prometheus.of(prometheus.url(), Duration.ofSeconds(5));
      Stage.Metric errorRate = new Stage.Metric("error-rate", QUERY, 0.05, null);

      Prometheus.Answer ofBad = client.measure(errorRate, PromQl.render(QUERY, Map.of("version", "1.1.0")));
      Prometheus.Answer ofGood = client.measure(errorRate, PromQl.render(QUERY, Map.of("version", "1.0.0")));

      assertThat(ofBad.verdict()).isEqualTo(Prometheus.Verdict.FAILED);
      assertThat(ofBad.reason()).as("10 errors in 21 requests").startsWith("0.476").endsWith(" is above max 0.05");
      assertThat(ofGood.verdict()).isEqualTo(Prometheus.Verdict.PASSED);
      assertThat(ofGood.values()).isEqualTo("0");
    }
  }
}
