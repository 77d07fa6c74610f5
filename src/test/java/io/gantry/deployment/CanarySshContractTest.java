package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.sun.net.httpserver.HttpServer;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.OpenSshServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A canary over SSH (a real OpenSSH server on 127.0.0.1): the analysis runs a shell check on the
 * canary host and an http-check against a health endpoint whose answer the test sets; the rest of the
 * hosts follow a passing analysis and are never touched after a failing one. On PostgreSQL only: what
 * is under test is the SSH side, and the engine's storage is tested on both databases by {@link
 * CanaryContractTest}.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = TestDatabase.class, names = "POSTGRESQL")
class CanarySshContractTest {

  @TempDir
  static Path sshDir;
  static OpenSshServer server;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private final AtomicInteger healthStatus = new AtomicInteger(200);
  private HttpServer health;
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  CanarySshContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeAll
  static void startServer() throws Exception {
    server = OpenSshServer.start(sshDir.resolve("sshd"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    health.createContext("/health", exchange -> {
      byte[] body = (healthStatus.get() == 200 ? "UP" : "DOWN").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(healthStatus.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    health.start();
    StringBuilder targets = new StringBuilder();
    for (String name : List.of("s1", "s2", "s3")) {
      targets.append(server.target(name, host(name)));
    }
    fixture.apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa-team}
        ---
        %s
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
                  share: 1
                  pause: 2m
                  analysis:
                    checks:
                      - {name: serving, type: shell, command: "test \\"$(cat out.txt)\\" = ok", timeout: 30s}
                      - {name: health, type: http-check, url: "http://127.0.0.1:%d/health", expectBody: UP, timeout: 3s}
                    interval: 1m
                    duration: 2m
                    successRatio: 0.9
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: run, type: shell, command: "sh current/run.sh", timeout: 60s}
              failurePolicy: {action: rollback}
        """.formatted(targets, health.getAddress().getPort()));
  }

  @AfterEach
  void stopHealth() {
    health.stop(0);
  }

  private Path host(String name) {
    return home.resolve("hosts").resolve(name);
  }

  private void push(String version) {
    String script = "echo ok > out.txt\n";
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment runToEnd(Deployment d) {
    engine.runDue();
    Deployment now = fixture.deployments.get(d.id());
    for (int i = 0; i < 20 && !now.state().isFinal(); i++) {
      clock.advance(Duration.ofMinutes(1));
      engine.runDue();
      now = fixture.deployments.get(d.id());
    }
    return now;
  }

  private Deployment request(String version) {
    return fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob");
  }

  @Test
  void a_canary_over_ssh_whose_checks_pass_is_followed_by_every_other_host() throws Exception {
    push("1.0.0");

    Deployment d = runToEnd(request("1.0.0"));

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(canaryRounds(d)).extracting(AnalysisRecords.Round::passed,
        AnalysisRecords.Round::total).containsExactly(tuple(2, 2), tuple(2, 2));
    for (String name : List.of("s1", "s2", "s3")) {
      assertThat(Files.readSymbolicLink(host(name).resolve("shop.web/current"))).as(name).isEqualTo(Path.of("releases/1.0.0"));
    }
  }

  @Test
  void a_canary_over_ssh_whose_health_endpoint_goes_down_is_rolled_back_and_the_other_hosts_never_see_the_version()
      throws Exception {
    push("1.0.0");
    assertThat(runToEnd(request("1.0.0")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0");
    healthStatus.set(503);

    Deployment d = runToEnd(request("2.0.0"));

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(d.outcome()).contains("canary analysis failed: 1 of 2 check results passed in 1 of 2 round(s)");
    assertThat(canaryRounds(d)).singleElement()
        .satisfies(r -> assertThat(r.results()).contains("serving on s1 passed").contains("health on s1 failed"));
    assertThat(Files.readSymbolicLink(host("s1").resolve("shop.web/current"))).isEqualTo(Path.of("releases/1.0.0"));
    for (String name : List.of("s2", "s3")) {
      assertThat(host(name).resolve("shop.web/releases/2.0.0")).as(name).doesNotExist();
    }
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::state)
        .containsExactly(tuple("s1", TargetRunState.ROLLED_BACK), tuple("s2", TargetRunState.PENDING),
            tuple("s3", TargetRunState.PENDING));
  }

  private java.util.List<AnalysisRecords.Round> canaryRounds(Deployment d) {
    return fixture.deployments.analyses().rounds(d.id(), AnalysisRecords.CANARY);
  }
}
