package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.testing.MutableClock;
import io.gantry.testing.OpenSshServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aborting a deployment whose steps run on SSH targets (a real OpenSSH server on 127.0.0.1): the
 * commands running on the host, and what they started, are ended, not only the SSH channels. The
 * database does not matter here, so this runs on H2 only.
 */
class AbortOnSshTargetsTest {

  @TempDir
  static Path sshDir;
  static OpenSshServer server;

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private CompletableFuture<Integer> running;

  @TempDir
  Path home;
  @TempDir
  Path pids;

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
    fixture = new EngineFixture(TestDatabase.H2.create(), clock, home);
    fixture.users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
  }

  @AfterEach
  void stopEngine() throws Exception {
    if (running != null) {
      running.get(60, TimeUnit.SECONDS); // an engine whose remote step was never stopped would wait ten minutes
    }
  }

  private void configure(String policy) {
    StringBuilder targets = new StringBuilder();
    for (String t : List.of("s1", "s2")) {
      targets.append(server.target(t, home.resolve("hosts").resolve(t)));
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
              strategy: {type: all-at-once}
              steps:
                - {name: run, type: shell, command: "sh %s/sleeps.sh", timeout: 10m}
              failurePolicy: {action: %s}
        """.formatted(targets, pids, policy));
  }

  private static void await(String what, Duration within, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  private long pid(String target, String which) throws Exception {
    return Long.parseLong(Files.readString(pids.resolve(target + "." + which)).strip());
  }

  @Test
  void an_abort_kills_the_remote_commands_and_what_they_started_on_every_ssh_target() throws Exception {
    configure("stop");
    Files.writeString(pids.resolve("sleeps.sh"), """
        sleep 600 &
        echo $! > "%1$s/$GANTRY_TARGET.child"
        echo $$ > "%1$s/$GANTRY_TARGET.parent"
        sleep 600
        """.formatted(pids));
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "2.0.0", Map.of(),
        List.of(new Library.Upload("notes.txt", () -> new ByteArrayInputStream("n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "2.0.0", "qa", null, null),
        "bob");
    Engine engine = fixture.engine();
    running = CompletableFuture.supplyAsync(engine::runDue);
    await("the step sleeping on s1 and s2", Duration.ofSeconds(60),
        () -> Files.exists(pids.resolve("s1.parent")) && Files.exists(pids.resolve("s2.parent")));
    List<Long> processes = List.of(pid("s1", "parent"), pid("s1", "child"), pid("s2", "parent"), pid("s2", "child"));
    assertThat(processes).allMatch(AbortContractTest::alive);

    long abortedAt = System.nanoTime();
    fixture.aborts.abort(d.id(), "wrong host list", "alice");
    await("deployment #" + d.id() + " ended", Duration.ofSeconds(20),
        () -> fixture.deployments.get(d.id()).state().isFinal());
    running.get();
    running = null;

    assertThat(Duration.ofNanos(System.nanoTime() - abortedAt)).isLessThan(Duration.ofSeconds(10));
    await("the remote processes gone", Duration.ofSeconds(10),
        () -> processes.stream().noneMatch(AbortContractTest::alive));
    Deployment ended = fixture.deployments.get(d.id());
    assertThat(ended.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(ended.outcome()).startsWith("aborted by alice: wrong host list");
    assertThat(fixture.deployments.targetRuns(d.id())).allMatch(r -> r.state() == TargetRunState.FAILED
        && r.outcome().equals("step run failed: aborted during step run on " + r.target() + " by alice: wrong host list"));
  }
}
