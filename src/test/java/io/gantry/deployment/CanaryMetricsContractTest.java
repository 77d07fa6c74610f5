package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.sun.net.httpserver.HttpServer;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.PrometheusServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A canary whose analysis queries a real Prometheus (Debian's, on loopback, scraping every second): each
 * version's program writes its error ratio on its target, a small HTTP server exposes every target's ratio
 * as {@code app_error_ratio}, and the analysis judges the canary's. A good version is promoted, a bad one
 * rolled back, no data is inconclusive and counts as the analysis says; every measurement is in the record.
 * The engine's clock is set by the test; Prometheus runs in real time, so the test waits until Prometheus
 * has scraped what a version wrote before the clock moves on. On both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class CanaryMetricsContractTest {

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t2}
      spec: {environment: qa, kind: local, path: t2}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t3}
      spec: {environment: qa, kind: local, path: t3}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: qa
            environment: qa
            strategy:
              type: canary
              canary:
                share: "1"
                analysis:
                  metrics:
                    - name: error-ratio
                      query: 'max(app_error_ratio{run="RUN", target=~"${canaryTargets}"})'
                      max: 0.05
                  interval: 30s
                  duration: 1m
                  INCONCLUSIVE
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            failurePolicy: {action: rollback}
      """;

  @TempDir
  static Path prometheusDir;
  private static HttpServer app;
  private static PrometheusServer prometheus;
  /** The folder of the test now running, whose targets' ratios the metrics server exposes, and its run label. */
  private static volatile Path serving;
  private static volatile String runLabel = "";

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private final String run = UUID.randomUUID().toString();
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  CanaryMetricsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeAll
  static void start() throws Exception {
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/metrics", exchange -> {
      byte[] body = metrics().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    app.start();
    prometheus = PrometheusServer.start(prometheusDir.resolve("prometheus"),
        List.of("127.0.0.1:" + app.getAddress().getPort()));
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

  /** Each target's error ratio, as its version's program wrote it; a target whose program wrote none has none. */
  private static String metrics() throws IOException {
    StringBuilder out = new StringBuilder("# TYPE app_error_ratio gauge\n");
    Path home = serving;
    if (home == null || !Files.isDirectory(home.resolve("targets"))) {
      return out.toString();
    }
    try (Stream<Path> targets = Files.list(home.resolve("targets"))) {
      for (Path t : targets.sorted().toList()) {
        Path ratio = t.resolve("shop.web/error-ratio.txt");
        if (Files.isRegularFile(ratio)) {
          out.append("app_error_ratio{run=\"").append(runLabel).append("\",target=\"").append(t.getFileName())
              .append("\"} ").append(Files.readString(ratio).strip()).append('\n');
        }
      }
    }
    return out.toString();
  }

  @BeforeEach
  void setUp() {
    serving = home;
    runLabel = run;
    fixture = new EngineFixture(database.create(), clock, home, prometheus.url());
    engine = fixture.engine();
  }

  private void configure(String inconclusive) {
    fixture.apply(CONFIG.replace("RUN", run).replace("INCONCLUSIVE",
        inconclusive == null ? "" : "inconclusive: " + inconclusive));
  }

  /** The same analysis comparing the canary with the other targets instead of a threshold. */
  private void compareWithBaseline() {
    fixture.apply(CONFIG.replace("RUN", run).replace("INCONCLUSIVE", "").replace("max: 0.05",
        "baseline: {alpha: 0.05}"));
  }

  /** A version whose program writes {@code ratio} as its error ratio, or removes it (null). */
  private void push(String version, String ratio) {
    String script = ratio == null ? "rm -f error-ratio.txt\n" : "echo " + ratio + " > error-ratio.txt\n";
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment request(String version) {
    return fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob");
  }

  private Deployment run(Deployment d) {
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private Deployment runToEnd(Deployment d) {
    Deployment now = run(d);
    for (int i = 0; i < 20 && !now.state().isFinal(); i++) {
      clock.advance(Duration.ofSeconds(30));
      now = run(d);
    }
    return now;
  }

  /** Waits until Prometheus has scraped the canary's ratio as its version wrote it (or its absence). */
  private void scraped(String target, String ratio) throws Exception {
    String query = "app_error_ratio{run=\"" + run + "\",target=\"" + target + "\"}";
    if (ratio == null) {
      prometheus.await(query, r -> r.isEmpty());
    } else {
      prometheus.await(query, r -> r.size() == 1 && Double.parseDouble(r.get(0).path("value").get(1).asString())
          == Double.parseDouble(ratio));
    }
  }

  private String current(String target) throws Exception {
    return Files.readSymbolicLink(home.resolve("targets").resolve(target).resolve("shop.web/current"))
        .getFileName().toString();
  }

  private List<AnalysisRecords.Measurement> measurements(Deployment d) {
    return fixture.deployments.analyses().measurements(d.id(), AnalysisRecords.CANARY);
  }

  /** The first version, good, on every target. */
  private void good(String version) throws Exception {
    push(version, "0.01");
    Deployment d = run(request(version));
    scraped("t1", "0.01");
    assertThat(runToEnd(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_canary_whose_error_ratio_stays_under_the_threshold_is_promoted_to_every_target() throws Exception {
    configure(null);
    push("1.0.0", "0.01");

    Deployment d = run(request("1.0.0"));
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::state)
        .containsExactly(tuple("t1", TargetRunState.SUCCEEDED), tuple("t2", TargetRunState.PENDING),
            tuple("t3", TargetRunState.PENDING));
    scraped("t1", "0.01");
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    for (String t : List.of("t1", "t2", "t3")) {
      assertThat(current(t)).as(t).isEqualTo("1.0.0");
    }
    assertThat(measurements(d)).hasSize(2).allSatisfy(m -> {
      assertThat(m.metric()).isEqualTo("error-ratio");
      assertThat(m.query()).as("the query as sent, the canary's name filled in")
          .isEqualTo("max(app_error_ratio{run=\"" + run + "\", target=~\"t1\"})");
      assertThat(m.answer()).isEqualTo("0.01");
      assertThat(m.verdict()).isEqualTo("PASSED");
      assertThat(m.countedPassed()).isTrue();
      assertThat(m.sampledAt()).isNotNull();
    }).extracting(AnalysisRecords.Measurement::round).containsExactly(1, 2);
    assertThat(canaryAnalysis(d).orElseThrow().outcome())
        .startsWith("canary analysis passed: 2 of 2");
  }

  @Test
  void a_canary_whose_error_ratio_exceeds_the_threshold_is_rolled_back_and_the_record_shows_each_measurement()
      throws Exception {
    configure(null);
    good("1.0.0");
    push("2.0.0", "0.3");

    Deployment d = run(request("2.0.0"));
    assertThat(current("t1")).isEqualTo("2.0.0");
    scraped("t1", "0.3");
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(done.outcome()).contains("canary analysis failed: 0 of 1");
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::state)
        .containsExactly(tuple("t1", TargetRunState.ROLLED_BACK), tuple("t2", TargetRunState.PENDING),
            tuple("t3", TargetRunState.PENDING));
    for (String t : List.of("t2", "t3")) {
      assertThat(current(t)).as(t + " never saw the bad version").isEqualTo("1.0.0");
    }
    assertThat(measurements(d)).singleElement().satisfies(m -> {
      assertThat(m.round()).isEqualTo(1);
      assertThat(m.answer()).isEqualTo("0.3");
      assertThat(m.verdict()).isEqualTo("FAILED");
      assertThat(m.countedPassed()).isFalse();
      assertThat(m.reason()).isEqualTo("0.3 is above max 0.05");
    });
    var view = DeploymentController.CanaryView.of(fixture.deployments.targetRuns(d.id()),
        canaryAnalysis(d).orElseThrow(), canaryRounds(d),
        measurements(d));
    assertThat(view.rounds()).singleElement().satisfies(r -> {
      assertThat(r.results()).contains("metric error-ratio failed: 0.3, 0.3 is above max 0.05");
      assertThat(r.measurements()).singleElement().satisfies(m -> {
        assertThat(m.query()).contains("target=~\"t1\"");
        assertThat(m.verdict()).isEqualTo("FAILED");
      });
    });
  }

  @Test
  void a_canary_with_no_data_is_inconclusive_and_by_default_counts_as_failed_and_rolled_back() throws Exception {
    configure(null);
    good("1.0.0");
    push("2.0.0", null);

    Deployment d = run(request("2.0.0"));
    scraped("t1", null);
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(measurements(d)).singleElement().satisfies(m -> {
      assertThat(m.verdict()).isEqualTo("INCONCLUSIVE");
      assertThat(m.answer()).isEmpty();
      assertThat(m.countedPassed()).isFalse();
      assertThat(m.reason()).isEqualTo("the query found no data; counted as failed (inconclusive: fail)");
    });
  }

  @Test
  void a_canary_with_no_data_is_promoted_when_the_analysis_counts_inconclusive_as_passed() throws Exception {
    configure("pass");
    push("1.0.0", null);

    Deployment d = run(request("1.0.0"));
    scraped("t1", null);
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(current("t3")).isEqualTo("1.0.0");
    assertThat(measurements(d)).hasSize(2).allSatisfy(m -> {
      assertThat(m.verdict()).isEqualTo("INCONCLUSIVE");
      assertThat(m.countedPassed()).isTrue();
      assertThat(m.reason()).endsWith("counted as passed (inconclusive: pass)");
    });
  }

  @Test
  void a_canary_significantly_worse_than_the_baseline_is_rolled_back() throws Exception {
    configure(null);
    good("1.0.0");
    compareWithBaseline();
    push("2.0.0", "0.3");

    Deployment d = run(request("2.0.0"));
    scraped("t1", "0.3");
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(current("t2")).isEqualTo("1.0.0");
    assertThat(measurements(d)).singleElement().satisfies(m -> {
      assertThat(m.metric()).isEqualTo("error-ratio vs baseline");
      assertThat(m.query()).contains("canary: max(app_error_ratio{run=\"" + run + "\", target=~\"t1\"})")
          .contains("baseline: max(app_error_ratio{run=\"" + run + "\", target=~\"t2|t3\"})");
      assertThat(m.answer()).contains("median 0.3; baseline n=").contains("median 0.01; U=");
      assertThat(m.verdict()).isEqualTo("FAILED");
      assertThat(m.reason()).startsWith("the canary is significantly higher than the baseline (Mann-Whitney U");
    });
  }

  private java.util.List<AnalysisRecords.Round> canaryRounds(Deployment d) {
    return fixture.deployments.analyses().rounds(d.id(), AnalysisRecords.CANARY);
  }

  private java.util.Optional<AnalysisRecords.Analysis> canaryAnalysis(Deployment d) {
    return fixture.deployments.analyses().analysis(d.id(), AnalysisRecords.CANARY);
  }
}
