package io.gantry.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus ({@code /usr/bin/prometheus}, Debian's prometheus package) on 127.0.0.1 and a free port,
 * its storage in a folder of the test's, scraping the given {@code host:port} targets every second. Closing
 * it stops the process.
 */
public final class PrometheusServer implements AutoCloseable {

  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Process process;
  private final int port;
  private final Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts Prometheus with its configuration and storage under {@code dir}, scraping {@code targets}. */
  public static PrometheusServer start(Path dir, List<String> targets) throws IOException, InterruptedException {
    return start(dir, "              - targets: [%s]".formatted(String.join(", ",
        targets.stream().map(t -> "'" + t + "'").toList())));
  }

  /**
   * Starts Prometheus scraping each {@code host:port} key with the labels it maps to added to its series (as a
   * scrape config would name Gantry's targets and slots, e.g. {@code target: web1, slot: green}).
   */
  public static PrometheusServer start(Path dir, java.util.Map<String, java.util.Map<String, String>> labelled)
      throws IOException, InterruptedException {
    StringBuilder configs = new StringBuilder();
    labelled.forEach((address, labels) -> configs.append(configs.isEmpty() ? "" : "\n")
        .append("              - targets: ['").append(address).append("']\n                labels: {")
        .append(String.join(", ", labels.entrySet().stream().map(e -> e.getKey() + ": '" + e.getValue() + "'")
            .toList())).append('}'));
    return start(dir, configs.toString());
  }

  private static PrometheusServer start(Path dir, String staticConfigs) throws IOException, InterruptedException {
    if (!Files.isExecutable(PROMETHEUS)) {
      throw new IllegalStateException(PROMETHEUS + " is missing: install Debian's prometheus package");
    }
    Files.createDirectories(dir.resolve("data"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("prometheus.yml"), """
        global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s}
        scrape_configs:
          - job_name: test
            static_configs:
        %s
        """.formatted(staticConfigs));
    Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(process, port, dir);
    server.awaitReady();
    return server;
  }

  /** The base URL, as gantry.analysis.prometheus.url takes it. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Runs an instant query and answers its result (the {@code data.result} of the answer). */
  public JsonNode query(String query) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/query?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (!"success".equals(body.path("status").asString(""))) {
      throw new IllegalStateException("query " + query + " failed: " + response.body());
    }
    return body.path("data").path("result");
  }

  /**
   * Waits (at most 30 s) until {@code query}'s result satisfies {@code until}: Prometheus scrapes every second,
   * so what a target exposes shows in a query a second or two later.
   */
  public JsonNode await(String query, Predicate<JsonNode> until) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode result = query(query);
    while (!until.test(result)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Prometheus did not answer as awaited within 30 s: " + query + " -> " + result);
      }
      process.waitFor(200, TimeUnit.MILLISECONDS); // the pace of polling; returns early only if Prometheus died
      if (!process.isAlive()) {
        throw new IllegalStateException("Prometheus stopped: " + Files.readString(dir.resolve("prometheus.log")));
      }
      result = query(query);
    }
    return result;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Prometheus stopped at once: " + Files.readString(dir.resolve("prometheus.log")));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    close();
    throw new IllegalStateException("Prometheus was not ready within 30 s: " + Files.readString(dir.resolve("prometheus.log")));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
