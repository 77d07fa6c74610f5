package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.OpenSshServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine carrying deployments onto SSH targets (a real OpenSSH server on 127.0.0.1), and what
 * happens when a target goes away in the middle of a step: its SSH server stops, or its folder is
 * removed. On PostgreSQL only: what is under test is the targets' side, and the engine's storage is
 * tested on both databases by the other contract tests.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = TestDatabase.class, names = "POSTGRESQL")
class TargetsGoingAwayContractTest {

  @TempDir
  static Path sshDir;
  static OpenSshServer server;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  TargetsGoingAwayContractTest(TestDatabase database) {
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
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
  }

  private static String sshTarget(String name, Path folder, OpenSshServer host, int port) {
    return host.target(name, folder, port);
  }

  private void configure(String targets, String strategy, String policy) {
    configure(targets, strategy, policy, "");
  }

  /** As {@link #configure(String, String, String)}, with {@code requirement} (a line of YAML) required of each target too. */
  private void configure(String targets, String strategy, String policy, String requirement) {
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
          targetRequirements:
            - {type: free-disk, minimumMb: 1}
            - {type: tool, name: sh}
        %s
          stages:
            - name: qa
              environment: qa
              strategy: %s
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: configure, type: template, destination: app.conf, content: "target=${target}"}
                - {name: run, type: shell, command: "sh current/run.sh", timeout: 60s}
              acceptance:
                - {name: check, type: shell, command: "test \\"$(cat out.txt)\\" = ok", timeout: 30s}
              failurePolicy: {action: %s}
        """.formatted(targets, requirement, strategy, policy));
  }

  private void push(String version, String script) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment request(String version) {
    return fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob");
  }

  private Deployment deploy(String version) {
    Deployment d = request(version);
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private Map<String, TargetRun> runs(Deployment d) {
    Map<String, TargetRun> out = new HashMap<>();
    fixture.deployments.targetRuns(d.id()).forEach(r -> out.put(r.target(), r));
    return out;
  }

  @Test
  void a_rolling_deployment_over_ssh_installs_configures_and_runs_on_each_host_then_rolls_back_a_bad_version()
      throws Exception {
    Path s1 = home.resolve("hosts/s1");
    Path s2 = home.resolve("hosts/s2");
    configure(sshTarget("s1", s1, server, server.port()) + sshTarget("s2", s2, server, server.port()),
        "{type: rolling, batchSize: 1, maxParallel: 1}", "rollback");
    push("1.0.0", "echo ok > out.txt\n");

    Deployment first = deploy("1.0.0");

    assertThat(first.state()).as(first.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    for (Path host : List.of(s1, s2)) {
      assertThat(Files.readSymbolicLink(host.resolve("shop.web/current"))).isEqualTo(Path.of("releases/1.0.0"));
      assertThat(host.resolve("shop.web/out.txt")).hasContent("ok");
    }
    assertThat(s2.resolve("shop.web/app.conf")).hasContent("target=s2");

    push("2.0.0", "if [ \"$GANTRY_TARGET\" = s2 ]; then echo broken on s2 >&2; exit 3; fi\necho ok > out.txt\n");
    Deployment second = deploy("2.0.0");

    assertThat(second.state()).as(second.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(runs(second)).extractingFromEntries(e -> e.getValue().state())
        .containsOnly(TargetRunState.ROLLED_BACK);
    for (Path host : List.of(s1, s2)) {
      assertThat(Files.readSymbolicLink(host.resolve("shop.web/current"))).isEqualTo(Path.of("releases/1.0.0"));
    }
    assertThat(fixture.deployments.events(second.id(), 0)).anySatisfy(e ->
        assertThat(e.message()).contains("exited with 3").contains("broken on s2"));
  }

  @Test
  void the_targets_of_a_deployment_are_verified_together_not_one_after_another() throws Exception {
    Path met = Files.createDirectories(home.resolve("met"));
    // each host's check passes only when the checks of all three are under way at once (it waits up to 10 s for
    // them): looked at one after another, the first would fail
    String count = "$(ls " + met + " | wc -l)";
    String check = "touch " + met + "/$$; i=0; while [ " + count + " -lt 3 ] && [ $i -lt 100 ]; do sleep 0.1; "
        + "i=$((i+1)); done; [ " + count + " -ge 3 ]";
    configure(sshTarget("s1", home.resolve("hosts/s1"), server, server.port())
            + sshTarget("s2", home.resolve("hosts/s2"), server, server.port())
            + sshTarget("s3", home.resolve("hosts/s3"), server, server.port()),
        "{type: all-at-once, maxParallel: 3}", "stop",
        "    - {type: command, command: \"" + check + "\"}");
    push("1.0.0", "echo ok > out.txt\n");

    Deployment d = deploy("1.0.0");

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    try (var arrived = Files.list(met)) {
      assertThat(arrived).hasSize(3);
    }
  }

  @Test
  void an_ssh_target_that_cannot_be_reached_fails_environment_verification_before_anything_changes() {
    Path s1 = home.resolve("hosts/s1");
    configure(sshTarget("s1", s1, server, server.port()) + sshTarget("s2", home.resolve("hosts/s2"), server, 1),
        "{type: all-at-once}", "stop");
    push("1.0.0", "echo ok > out.txt\n");

    Deployment d = deploy("1.0.0");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).startsWith("environment verification: target s2: not reachable: cannot connect to");
    assertThat(s1.resolve("shop.web/releases")).doesNotExist();
  }

  @Test
  void a_target_whose_ssh_server_stops_mid_step_fails_with_the_cause_and_the_failure_policy_runs() throws Exception {
    Path s1 = home.resolve("hosts/s1");
    Path s2 = home.resolve("hosts/s2");
    try (OpenSshServer doomed = OpenSshServer.start(home.resolve("doomed-sshd"))) {
      configure(sshTarget("s1", s1, server, server.port()) + sshTarget("s2", s2, doomed, doomed.port()),
          "{type: all-at-once}", "rollback");
      push("1.0.0", "echo ok > out.txt\n");
      assertThat(deploy("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
      push("2.0.0", "if [ \"$GANTRY_TARGET\" = s2 ]; then touch started; sleep 60; fi\necho ok > out.txt\n");

      Deployment d = request("2.0.0");
      CompletableFuture<Integer> running = CompletableFuture.supplyAsync(engine::runDue);
      waitFor(s2.resolve("shop.web/started"));
      doomed.kill();
      running.get(60, TimeUnit.SECONDS);

      Deployment done = fixture.deployments.get(d.id());
      // s2 cannot be rolled back while its host is gone; s1 is, and the record says what happened to both
      assertThat(done.state()).isEqualTo(DeploymentState.FAILED);
      assertThat(done.outcome()).startsWith("rollback incomplete: s2");
      Map<String, TargetRun> runs = runs(done);
      assertThat(runs.get("s1").state()).isEqualTo(TargetRunState.ROLLED_BACK);
      assertThat(runs.get("s2").state()).isEqualTo(TargetRunState.FAILED);
      assertThat(Files.readSymbolicLink(s1.resolve("shop.web/current"))).isEqualTo(Path.of("releases/1.0.0"));
      assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
          .contains("s2").contains("was lost before the command ended"));
      assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
          .contains("rolling back to the previous version"));
    }
  }

  @Test
  void a_local_target_whose_folder_is_removed_mid_step_fails_with_the_cause_and_the_failure_policy_runs()
      throws Exception {
    fixture.apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa-team}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: l1}
        spec: {environment: qa, kind: local, path: l1}
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
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: run, type: shell, command: "sh current/run.sh", timeout: 60s}
              failurePolicy: {action: stop}
        """);
    push("1.0.0", "touch started\nwhile [ -e started ]; do sleep 0.05; done\necho done > finished\n");
    Path folder = home.resolve("targets/l1");

    Deployment d = request("1.0.0");
    CompletableFuture<Integer> running = CompletableFuture.supplyAsync(engine::runDue);
    waitFor(folder.resolve("shop.web/started"));
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    running.get(60, TimeUnit.SECONDS);

    Deployment done = fixture.deployments.get(d.id());
    assertThat(done.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(done.outcome()).contains("batch 1 of 1 failed on l1").contains("step run failed")
        .contains("Directory nonexistent");
    assertThat(runs(done).get("l1").state()).isEqualTo(TargetRunState.FAILED);
  }

  /** Waits for a step to show it has started: generously, as a loaded machine starts ssh sessions slowly. */
  static void waitFor(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(file + " did not appear within 90 s");
      }
      Thread.sleep(20);
    }
  }
}
