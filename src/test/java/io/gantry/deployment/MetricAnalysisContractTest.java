package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.PrometheusServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metric analysis beyond the canary, against a real Prometheus scraping the sample app
 * ({@code examples/sample-app/app.py}) that each version starts: a blue-green target's idle slot is analysed
 * before its switch, and a stage's verification analyses the deployment's targets once they took the version.
 * Each version's {@code error_share} makes that share of its pages answer 500; the test sends the pages (as
 * users would) and waits until Prometheus has scraped them before the engine's clock moves on to the next round.
 * Prometheus labels each app's series with the Gantry target (and slot) it serves, as a scrape config would.
 * On H2 only: what is tested here is how the engine uses an analysis (before a switch, in a stage's
 * verification); the analyses' records are tested on both databases ({@link AnalysisRecordsContractTest}), as is
 * a canary's analysis against a real Prometheus ({@link CanaryMetricsContractTest}).
 */
class MetricAnalysisContractTest {

  /**
   * The program of every version: the sample app on the slot's port (blue-green) or on the target's port from
   * the version's {@code ports} file, replacing the app that ran there before; answers once the app is up.
   */
  static final String START = """
      #!/bin/sh
      if [ -f server.pid ]; then
        old=$(cat server.pid); kill "$old" 2>/dev/null
        while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
      fi
      port=${GANTRY_PORT:-$(sed -n "s/^$GANTRY_TARGET=//p" current/ports)}
      { cat current/app.properties; echo "port=$port"; } > app.properties
      nohup /usr/bin/python3 current/app.py app.properties > server.log 2>&1 < /dev/null &
      echo $! > server.pid
      i=0
      while [ $i -lt 200 ]; do
        /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health')" \\
          2>/dev/null && exit 0
        i=$((i+1)); sleep 0.05
      done
      echo "the app did not answer on port $port"; exit 1
      """;

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
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      """;

  /** A second target, for the stages that deploy to two (blue-green's slots have one port each: one target). */
  static final String T2 = """
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t2}
      spec: {environment: qa, kind: local, path: t2}
      ---
      """;

  /** The error rate of the analysed slot on the analysed target: errors over all requests answered. */
  static final String IDLE_ERROR_RATE = "sum(sample_app_errors_total{target=~\"${targets}\", slot=\"${slot}\"}) "
      + "/ sum(sample_app_requests_total{target=~\"${targets}\", slot=\"${slot}\"})";

  /** The error rate over the deployment's targets. */
  static final String ERROR_RATE = "sum(sample_app_errors_total{target=~\"${targets}\"}) "
      + "/ sum(sample_app_requests_total{target=~\"${targets}\"})";

  /** A metric no version exposes: its query finds no data, so it is inconclusive (a list item of metrics). */
  static final String NO_DATA = "- name: timeouts\n"
      + " ".repeat(16) + "query: 'sum(sample_app_timeouts_total{target=~\"${targets}\", slot=\"${slot}\"})'\n"
      + " ".repeat(16) + "max: 0";

  /** Beside the error rate: a metric without data, which half the results may fail. */
  static final String HALF_MAY_FAIL = NO_DATA + "\n" + " ".repeat(12) + "successRatio: 0.5";

  /** Beside the error rate: a check of the idle slot's pages, and a metric without data counted as passed. */
  static final String PAGES_CHECKED = NO_DATA + "\n" + " ".repeat(12) + "checks:\n" + " ".repeat(14)
      + "- {name: pages, type: http-check, url: \"http://127.0.0.1:${port}/\", timeout: 5s}\n" + " ".repeat(12)
      + "inconclusive: pass";

  /** A blue-green stage on t1 whose idle slot's error rate (and {@code more}) is analysed before its switch. */
  private String blueGreen(String more) {
    return """
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: software}
        spec:
          appliesTo: {componentTypes: [software]}
          stages:
            - name: qa
              environment: qa
              strategy:
                type: blue-green
                blueGreen:
                  slots: {blue: {port: %d}, green: {port: %d}}
                  analysis:
                    metrics:
                      - name: error-rate
                        query: '%s'
                        max: 0.05
                      %s
                    interval: 30s
                    duration: 1m
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: start, type: shell, command: "sh current/bin/start.sh", timeout: 60s}
              acceptance:
                - {name: answers, type: http-check, url: "http://127.0.0.1:${port}/health", expectBody: UP, timeout: 5s}
              failurePolicy: {action: rollback}
        """.formatted(bluePort, greenPort, IDLE_ERROR_RATE, more);
  }

  /** A blue-green stage on t1 whose verification analyses the error rate of the version now live. */
  private String blueGreenVerified() {
    return """
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: software}
        spec:
          appliesTo: {componentTypes: [software]}
          stages:
            - name: qa
              environment: qa
              strategy:
                type: blue-green
                blueGreen:
                  slots: {blue: {port: %d}, green: {port: %d}}
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: start, type: shell, command: "sh current/bin/start.sh", timeout: 60s}
              verification:
                metrics:
                  - name: error-rate
                    query: 'sum(sample_app_errors_total{target=~"${targets}", version="${version}"})
                      / sum(sample_app_requests_total{target=~"${targets}", version="${version}"})'
                    max: 0.05
                interval: 30s
                duration: 1m
              failurePolicy: {action: rollback}
        """.formatted(bluePort, greenPort);
  }

  /** An all-at-once stage on t1 and t2 whose verification analyses the error rate of both. */
  private String verified(String query, String inconclusive) {
    return verified(query, "", inconclusive);
  }

  /** The same with a second metric, {@code metric} (a list item), and {@code more} settings of the analysis. */
  private String verified(String query, String metric, String inconclusive) {
    return """
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: software}
        spec:
          appliesTo: {componentTypes: [software]}
          stages:
            - name: qa
              environment: qa
              strategy: {type: all-at-once}
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: start, type: shell, command: "sh current/bin/start.sh", timeout: 60s}
              verification:
                metrics:
                  - name: error-rate
                    query: '%s'
                    max: 0.05
                  %s
                interval: 30s
                duration: 1m
                %s
              failurePolicy: {action: rollback}
        """.formatted(query, metric, inconclusive);
  }

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EngineFixture fixture;
  private Engine engine;
  private PrometheusServer prometheus;
  private int bluePort;
  private int greenPort;
  private int t1Port;
  private int t2Port;

  @TempDir
  Path home;
  @TempDir
  Path prometheusDir;

  @BeforeEach
  void setUp() throws Exception {
    List<Integer> ports = new java.util.ArrayList<>();
    while (ports.size() < 4) {
      int p = BlueGreenContractTest.freePort();
      if (!ports.contains(p)) {
        ports.add(p);
      }
    }
    bluePort = ports.get(0);
    greenPort = ports.get(1);
    t1Port = ports.get(2);
    t2Port = ports.get(3);
    Map<String, Map<String, String>> scraped = new LinkedHashMap<>();
    scraped.put("127.0.0.1:" + bluePort, Map.of("target", "t1", "slot", "blue"));
    scraped.put("127.0.0.1:" + greenPort, Map.of("target", "t1", "slot", "green"));
    scraped.put("127.0.0.1:" + t1Port, Map.of("target", "t1"));
    scraped.put("127.0.0.1:" + t2Port, Map.of("target", "t2"));
    prometheus = PrometheusServer.start(prometheusDir, scraped);
    fixture = new EngineFixture(TestDatabase.H2.create(), clock, home, prometheus.url());
    engine = fixture.engine();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      BlueGreenContractTest.stopServersUnder(home);
    } finally {
      if (prometheus != null) {
        prometheus.close();
      }
    }
  }

  /** A version of the sample app answering {@code errorShare} of its pages with 500. */
  private void push(String version, String errorShare) throws Exception {
    String app = Files.readString(Path.of("examples/sample-app/app.py"));
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(), List.of(
        upload("app.py", app), upload("bin/start.sh", START),
        upload("app.properties", "version=" + version + "\nerror_share=" + errorShare + "\n"),
        upload("ports", "t1=" + t1Port + "\nt2=" + t2Port + "\n")), List.of()), "alice");
  }

  private static Library.Upload upload(String path, String text) {
    return new Library.Upload(path, () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private Deployment run(Deployment d) {
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private Deployment request(String version) {
    return run(fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null),
        "bob"));
  }

  private Deployment runToEnd(Deployment d) {
    Deployment now = run(d);
    for (int i = 0; i < 20 && !now.state().isFinal(); i++) {
      clock.advance(Duration.ofSeconds(30));
      now = run(d);
    }
    return now;
  }

  /** Sends {@code pages} requests to the app on {@code port} and waits until Prometheus has scraped them all. */
  private void traffic(int port, String series, int pages) throws Exception {
    for (int i = 0; i < pages; i++) {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.discarding());
    }
    prometheus.await("sum(sample_app_requests_total{" + series + "})", r -> r.size() == 1
        && Double.parseDouble(r.get(0).path("value").get(1).asString()) >= pages);
  }

  private String health(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body().strip();
  }

  private Path component(String target) {
    return home.resolve("targets").resolve(target).resolve("shop.web");
  }

  private String live() throws Exception {
    return Files.readSymbolicLink(component("t1").resolve("live")).toString();
  }

  private String current(String target) throws Exception {
    return Files.readSymbolicLink(component(target).resolve("current")).getFileName().toString();
  }

  private AnalysisRecords records() {
    return fixture.deployments.analyses();
  }

  /** The first version, good, live in blue on t1, under the stage's analysis with {@code more}. */
  private void firstInBlue(String more) throws Exception {
    fixture.apply(CONFIG + blueGreen(more));
    push("1.0.0", "0");
    Deployment d = request("1.0.0");
    traffic(bluePort, "slot=\"blue\"", 20);
    Deployment done = runToEnd(d);
    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("blue");
  }

  @Test
  void an_idle_slot_whose_error_rate_passes_its_analysis_is_switched_to_and_every_measurement_is_recorded()
      throws Exception {
    firstInBlue(HALF_MAY_FAIL);
    push("2.0.0", "0");

    Deployment d = request("2.0.0");
    assertThat(d.state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(live()).as("nothing is switched while the idle slot is analysed").isEqualTo("blue");
    assertThat(fixture.deployments.events(d.id(), 0).getLast()).satisfies(e -> {
      assertThat(e.kind()).isEqualTo(DeploymentEvent.Kind.WAIT);
      assertThat(e.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.SWITCH_ANALYSIS);
      assertThat(e.message()).startsWith("waiting for round 1 of 2 of the analysis of the idle slot green on t1");
    });
    traffic(greenPort, "slot=\"green\"", 20);
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("green");
    assertThat(health(greenPort)).isEqualTo("UP version=2.0.0");
    assertThat(records().measurements(d.id(), AnalysisRecords.idleSlot("t1")))
        .filteredOn(m -> m.metric().equals("timeouts")).as("no data, counted as failed: half the results")
        .extracting(AnalysisRecords.Measurement::verdict).containsExactly("INCONCLUSIVE", "INCONCLUSIVE");
    assertThat(records().measurements(d.id(), AnalysisRecords.idleSlot("t1")))
        .filteredOn(m -> m.metric().equals("error-rate")).hasSize(2).allSatisfy(m -> {
      assertThat(m.metric()).isEqualTo("error-rate");
      assertThat(m.query()).as("the query as sent, the target and the idle slot filled in").isEqualTo(
          "sum(sample_app_errors_total{target=~\"t1\", slot=\"green\"}) "
              + "/ sum(sample_app_requests_total{target=~\"t1\", slot=\"green\"})");
      assertThat(m.answer()).isEqualTo("0");
      assertThat(m.verdict()).isEqualTo("PASSED");
    }).extracting(AnalysisRecords.Measurement::round).containsExactly(1, 2);
    List<DeploymentController.AnalysisView> views = DeploymentController.DeploymentView.of(done,
        fixture.deployments.targetRuns(d.id()), List.of(), null, null,
        records().analyses(d.id()).stream().map(a -> DeploymentController.AnalysisView.of(a,
            records().rounds(d.id(), a.scope()), records().measurements(d.id(), a.scope()))).toList()).analyses();
    assertThat(views).singleElement().satisfies(v -> {
      assertThat(v.kind()).isEqualTo("switch");
      assertThat(v.target()).isEqualTo("t1");
      assertThat(v.passed()).isTrue();
      assertThat(v.outcome()).isEqualTo("analysis of the idle slot green on t1 passed: 2 of 4 check results "
          + "passed in 2 of 2 round(s) (0.50), at least 0.50 needed");
      assertThat(v.rounds()).extracting(DeploymentController.RoundView::round).containsExactly(1, 2);
    });
  }

  @Test
  void an_idle_slot_whose_error_rate_is_too_high_is_never_switched_to_and_the_failure_policy_runs()
      throws Exception {
    firstInBlue("");
    push("2.0.0", "0.5");

    Deployment d = request("2.0.0");
    traffic(greenPort, "slot=\"green\"", 20);
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(live()).as("never switched").isEqualTo("blue");
    assertThat(health(bluePort)).isEqualTo("UP version=1.0.0");
    assertThat(fixture.deployments.targetRuns(d.id())).singleElement().satisfies(r -> {
      assertThat(r.state()).isEqualTo(TargetRunState.ROLLED_BACK);
    });
    assertThat(fixture.deployments.stepRuns(d.id())).extracting(StepRun::phase)
        .as("no switch step ran").doesNotContain(BlueGreen.SWITCH, BlueGreen.SWITCH_BACK);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("analysis of the idle slot green on t1 failed: 0 of 1").contains("(nothing was switched)"));
    assertThat(records().measurements(d.id(), AnalysisRecords.idleSlot("t1"))).singleElement().satisfies(m -> {
      assertThat(m.verdict()).isEqualTo("FAILED");
      assertThat(m.answer()).as("10 of the 20 pages failed, of 22 requests with the two health checks")
          .startsWith("0.45");
      assertThat(m.reason()).endsWith(" is above max 0.05");
    });
  }

  @Test
  void an_idle_slot_whose_pages_fail_the_analysis_checks_is_never_switched_to() throws Exception {
    firstInBlue(PAGES_CHECKED); // its metric without data counts as passed: inconclusive: pass
    push("2.0.0", "1");

    Deployment d = request("2.0.0");
    assertThat(health(greenPort)).as("healthy: its idle-check passed").isEqualTo("UP version=2.0.0");
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(live()).as("never switched").isEqualTo("blue");
    assertThat(fixture.deployments.stepRuns(d.id())).filteredOn(r -> r.phase().startsWith(BlueGreen.IDLE_ANALYSIS))
        .as("the check ran against the idle slot in round 1, which decided it")
        .extracting(StepRun::phase, StepRun::name, StepRun::state)
        .containsExactly(tuple("idle-analysis-1", "pages", StepRunState.FAILED));
    assertThat(records().rounds(d.id(), AnalysisRecords.idleSlot("t1"))).singleElement().satisfies(r -> assertThat(
        r.results()).contains("pages on t1 (slot green) failed")
        .contains("metric timeouts inconclusive: the query found no data; counted as passed"));
  }

  @Test
  void an_engine_that_takes_over_mid_analysis_keeps_the_round_done_and_runs_only_the_rest() throws Exception {
    firstInBlue("");
    push("2.0.0", "0");
    Deployment d = request("2.0.0");
    traffic(greenPort, "slot=\"green\"", 20);
    clock.advance(Duration.ofSeconds(30));
    run(d);
    assertThat(records().rounds(d.id(), AnalysisRecords.idleSlot("t1"))).hasSize(1);
    var started = records().analysis(d.id(), AnalysisRecords.idleSlot("t1")).orElseThrow().startedAt();

    engine = fixture.engine(); // as a restarted server would have it, over the same database
    clock.advance(Duration.ofSeconds(10));
    assertThat(run(d).state()).as("round 2 is not due yet").isEqualTo(DeploymentState.EXECUTING);
    assertThat(live()).isEqualTo("blue");
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("green");
    assertThat(records().analysis(d.id(), AnalysisRecords.idleSlot("t1")).orElseThrow().startedAt())
        .as("the analysis was not started again").isEqualTo(started);
    assertThat(records().rounds(d.id(), AnalysisRecords.idleSlot("t1"))).extracting(AnalysisRecords.Round::round)
        .containsExactly(1, 2);
    assertThat(fixture.deployments.stepRuns(d.id())).filteredOn(s -> s.phase().equals(BlueGreen.IDLE_CHECK))
        .as("the idle slot's checks ran once").hasSize(1);
  }

  @Test
  void a_failed_verification_analysis_rolls_every_target_back_to_its_previous_version() throws Exception {
    fixture.apply(CONFIG + T2 + verified(ERROR_RATE, ""));
    push("1.0.0", "0");
    Deployment first = request("1.0.0");
    traffic(t1Port, "target=\"t1\"", 10);
    assertThat(runToEnd(first).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", "0.5");

    Deployment d = request("2.0.0");
    assertThat(d.state()).isEqualTo(DeploymentState.VERIFYING);
    assertThat(fixture.deployments.events(d.id(), 0).getLast().waitingFor())
        .isEqualTo(DeploymentEvent.WaitKind.VERIFY_ANALYSIS);
    traffic(t1Port, "target=\"t1\"", 20);
    traffic(t2Port, "target=\"t2\"", 20);
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::state)
        .containsExactly(tuple("t1", TargetRunState.ROLLED_BACK), tuple("t2", TargetRunState.ROLLED_BACK));
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(current("t2")).isEqualTo("1.0.0");
    assertThat(health(t1Port)).isEqualTo("UP version=1.0.0");
    assertThat(health(t2Port)).isEqualTo("UP version=1.0.0");
    assertThat(records().measurements(d.id(), AnalysisRecords.VERIFICATION)).singleElement().satisfies(m -> {
      assertThat(m.query()).contains("target=~\"t1|t2\"");
      assertThat(m.verdict()).isEqualTo("FAILED");
    });
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> {
      assertThat(e.to()).isEqualTo(DeploymentState.ROLLING_BACK);
      assertThat(e.message()).startsWith("deployment verification failed: verification analysis failed: 0 of 1");
    });
  }

  @Test
  void a_blue_green_verification_analysis_runs_after_the_switch_and_its_failure_switches_back() throws Exception {
    fixture.apply(CONFIG + blueGreenVerified());
    push("1.0.0", "0");
    Deployment first = request("1.0.0");
    traffic(bluePort, "version=\"1.0.0\"", 10);
    assertThat(runToEnd(first).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", "0.5");

    Deployment d = request("2.0.0");
    assertThat(d.state()).isEqualTo(DeploymentState.VERIFYING);
    assertThat(live()).as("verified once live").isEqualTo("green");
    traffic(greenPort, "version=\"2.0.0\"", 20);
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(live()).as("switched back").isEqualTo("blue");
    assertThat(health(bluePort)).isEqualTo("UP version=1.0.0");
    assertThat(fixture.deployments.stepRuns(d.id())).extracting(StepRun::phase)
        .contains(BlueGreen.SWITCH, BlueGreen.SWITCH_BACK);
    assertThat(records().measurements(d.id(), AnalysisRecords.VERIFICATION)).singleElement().satisfies(m -> {
      assertThat(m.query()).contains("version=\"2.0.0\"");
      assertThat(m.verdict()).isEqualTo("FAILED");
    });
  }

  @Test
  void a_verification_passes_with_half_its_results_failed_when_its_success_ratio_allows_it() throws Exception {
    String noData = "- name: timeouts\n" + " ".repeat(12) + "query: 'sum(sample_app_timeouts_total{target=~"
        + "\"${targets}\"})'\n" + " ".repeat(12) + "max: 0";
    fixture.apply(CONFIG + T2 + verified(ERROR_RATE, noData, "successRatio: 0.5"));
    push("1.0.0", "0");

    Deployment d = request("1.0.0");
    traffic(t1Port, "target=\"t1\"", 10);
    traffic(t2Port, "target=\"t2\"", 10);
    Deployment done = runToEnd(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(records().analysis(done.id(), AnalysisRecords.VERIFICATION).orElseThrow().outcome()).isEqualTo(
        "verification analysis passed: 2 of 4 check results passed in 2 of 2 round(s) (0.50), at least 0.50 needed");
    assertThat(records().measurements(done.id(), AnalysisRecords.VERIFICATION))
        .extracting(AnalysisRecords.Measurement::metric, AnalysisRecords.Measurement::countedPassed)
        .containsExactly(tuple("error-rate", true), tuple("timeouts", false), tuple("error-rate", true),
            tuple("timeouts", false));
  }

  @Test
  void a_verification_metric_without_data_is_inconclusive_failing_by_default_and_passing_when_declared_so()
      throws Exception {
    String noData = ERROR_RATE.replace("sample_app_errors_total", "sample_app_timeouts_total");
    fixture.apply(CONFIG + T2 + verified(noData, ""));
    push("1.0.0", "0");
    Deployment failing = runToEnd(request("1.0.0"));
    assertThat(failing.state()).as("a first version has nothing to roll back to").isEqualTo(DeploymentState.FAILED);
    assertThat(fixture.deployments.events(failing.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .startsWith("deployment verification failed: verification analysis failed: 0 of 1"));
    assertThat(records().measurements(failing.id(), AnalysisRecords.VERIFICATION)).singleElement()
        .satisfies(m -> {
          assertThat(m.verdict()).isEqualTo("INCONCLUSIVE");
          assertThat(m.reason()).isEqualTo("the query found no data; counted as failed (inconclusive: fail)");
        });

    fixture.apply(CONFIG + T2 + verified(noData, "inconclusive: pass"));
    push("1.0.1", "0");
    Deployment passing = runToEnd(request("1.0.1"));

    assertThat(passing.state()).as(passing.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(passing.outcome()).isEqualTo("all targets succeeded and the verification analysis passed");
    assertThat(records().measurements(passing.id(), AnalysisRecords.VERIFICATION)).hasSize(2).allSatisfy(m -> {
      assertThat(m.verdict()).isEqualTo("INCONCLUSIVE");
      assertThat(m.countedPassed()).isTrue();
    });
  }
}
