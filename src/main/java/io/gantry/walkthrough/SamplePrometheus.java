package io.gantry.walkthrough;

import io.gantry.environment.Target;
import io.gantry.environment.TargetKind;
import io.gantry.environment.Targets;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The Prometheus of {@code gantry up}: when {@code gantry.sample-prometheus.binary} and {@code .listen} are set
 * (the {@code up} command sets them when the machine has a {@code prometheus} program, and points
 * {@code gantry.analysis.prometheus.url} at it), starts it once the server is ready, on that address, with
 * its storage in {@code DATA_DIR/prometheus}, scraping every second the sample app on each local target that
 * has a {@code port} fact, each series labelled {@code target} (the target's name) and {@code environment};
 * and stops it with the server. The canary of the sample deployments queries it.
 */
@Component
class SamplePrometheus {

  private static final Logger log = LoggerFactory.getLogger(SamplePrometheus.class);

  private final Targets targets;
  private final String binary;
  private final String listen;
  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private volatile Process process;

  SamplePrometheus(Targets targets, @Value("${gantry.sample-prometheus.binary:}") String binary,
      @Value("${gantry.sample-prometheus.listen:}") String listen,
      @Value("${gantry.data-dir:./data}") Path dataDir) {
    this.targets = targets;
    this.binary = binary;
    this.listen = listen;
    this.dir = dataDir.resolve("prometheus").toAbsolutePath().normalize();
  }

  /** Whether the sample Prometheus runs and answers. */
  boolean running() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Its base URL, as gantry.analysis.prometheus.url names it. */
  String url() {
    return "http://" + listen;
  }

  /** Where it keeps its configuration, log and storage. */
  Path folder() {
    return dir;
  }

  @EventListener(ApplicationReadyEvent.class)
  @Order(Ordered.HIGHEST_PRECEDENCE)
  void start() {
    if (binary.isBlank() || listen.isBlank()) {
      return;
    }
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(dir.resolve("prometheus.yml"), configuration(targets.all()));
      Process started = new ProcessBuilder(binary, "--config.file=" + dir.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("data"), "--storage.tsdb.retention.time=7d",
          "--web.listen-address=" + listen, "--log.level=warn").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prometheus.log").toFile())).start();
      process = started;
      awaitReady(started);
      log.info("Prometheus for the canary's metric analysis: {} (scrapes the sample app; its files in {})", url(),
          dir);
    } catch (IOException | RuntimeException e) {
      log.warn("Prometheus did not start ({}): the sample deployments run without the canary's metric analysis; "
          + "see {}", e.getMessage(), dir.resolve("prometheus.log"));
      stop();
    }
  }

  /** The scrape configuration: the sample app on every local target that has a port, every second. */
  static String configuration(List<Target> all) {
    List<String> lines = new ArrayList<>(List.of(
        "# Written by gantry up: the sample app on each local target with a port fact, scraped every second.",
        "global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s}",
        "scrape_configs:",
        "  - job_name: sample-app",
        "    static_configs:"));
    for (Target t : all) {
      String port = t.definition().facts().get("port");
      if (t.definition().kind() == TargetKind.LOCAL && port != null && port.matches("\\d{1,5}")
          && (t.definition().name() + t.definition().environment()).matches("[A-Za-z0-9._-]+")) {
        // only names of letters, digits, dots, underscores and dashes: nothing that could end the quotes
        lines.add("      - targets: ['127.0.0.1:" + port + "']");
        lines.add("        labels: {target: '" + t.definition().name() + "', environment: '"
            + t.definition().environment() + "'}");
      }
    }
    if (lines.size() == 5) {
      lines.add("      - targets: []");
    }
    return String.join("\n", lines) + "\n";
  }

  private void awaitReady(Process started) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!started.isAlive()) {
        throw new IllegalStateException("it stopped at once with exit code " + started.exitValue());
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for it", e);
      }
      try {
        started.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for it", e);
      }
    }
    throw new IllegalStateException("it was not ready within 30 s on " + listen);
  }

  @PreDestroy
  void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
