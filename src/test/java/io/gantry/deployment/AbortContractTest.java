package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/** Aborting a deployment whose steps run as real processes on local targets, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class AbortContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private DeploymentAborts aborts;
  private CompletableFuture<Integer> running;

  @TempDir
  Path home;

  AbortContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    fixture.users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    fixture.users.create("owen", null, EnumSet.of(Role.SERVICE_OWNER), Actor.GANTRY);
    aborts = fixture.aborts;
  }

  @AfterEach
  void stopEngine() throws Exception {
    if (running != null) {
      running.get(); // an engine left running would hold the next test's database
    }
  }

  private void configure(String policy) {
    fixture.apply(EngineContractTest.CONFIG.replace("{type: STRATEGY, batchSize: 1, maxParallel: 1}", "{type: all-at-once}").replace("POLICY", policy)
        .replace("{name: run, type: shell, command: \"sh current/run.sh\", timeout: 30s}",
            "{name: run, type: shell, command: \"sh current/run.sh\", timeout: 10m}"));
  }

  /** Version 1.0.0 works; 2.0.0 starts a child that sleeps and then sleeps itself, writing both process ids. */
  private void push(String version, String script) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private static final String SLEEPS = """
      sleep 600 &
      echo $! > "$GANTRY_TARGET_DIR/child.pid"
      echo $$ > "$GANTRY_TARGET_DIR/parent.pid"
      sleep 600
      """;

  private Deployment deploy(String version) {
    return fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob");
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

  private long pid(String target, String file) throws Exception {
    return Long.parseLong(Files.readString(home.resolve("targets").resolve(target).resolve("shop.web").resolve(file)).strip());
  }

  /** Whether the process runs; a killed one that nobody has reaped yet (a zombie) does not. */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Starts 2.0.0 on an engine of its own and answers once its run step sleeps on every target. */
  private Deployment startSleeping() throws Exception {
    Deployment d = deploy("2.0.0");
    Engine engine = fixture.engine();
    running = CompletableFuture.supplyAsync(engine::runDue);
    await("run.sh sleeping on t1, t2 and t3", Duration.ofSeconds(30), () -> List.of("t1", "t2", "t3").stream()
        .allMatch(t -> Files.exists(home.resolve("targets").resolve(t).resolve("shop.web/parent.pid"))));
    return d;
  }

  private Deployment awaitEnd(long id) throws Exception {
    await("deployment #" + id + " ended", Duration.ofSeconds(15),
        () -> fixture.deployments.get(id).state().isFinal());
    running.get();
    running = null;
    return fixture.deployments.get(id);
  }

  @Test
  void an_aborted_deployment_kills_the_running_steps_and_their_children_and_rolls_back_the_targets_it_touched()
      throws Exception {
    configure("rollback");
    push("1.0.0", "echo ok > out.txt\n");
    deploy("1.0.0");
    fixture.engine().runDue();
    push("2.0.0", SLEEPS);
    Deployment d = startSleeping();
    long parent = pid("t2", "parent.pid");
    long child = pid("t2", "child.pid");
    assertThat(alive(parent)).isTrue();
    assertThat(alive(child)).isTrue();

    long abortedAt = System.nanoTime();
    aborts.abort(d.id(), "wrong config pushed", "alice");
    Deployment ended = awaitEnd(d.id());

    assertThat(Duration.ofNanos(System.nanoTime() - abortedAt)).isLessThan(Duration.ofSeconds(10));
    assertThat(alive(parent)).isFalse();
    assertThat(alive(child)).isFalse();
    assertThat(ended.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    for (String t : List.of("t1", "t2", "t3")) {
      assertThat(Files.readSymbolicLink(home.resolve("targets").resolve(t).resolve("shop.web/current")).getFileName())
          .hasToString("1.0.0");
    }
    List<DeploymentEvent> events = fixture.deployments.events(d.id(), 0);
    assertThat(events).anyMatch(e -> e.kind() == DeploymentEvent.Kind.ABORT && "t2".equals(e.target())
        && "run".equals(e.step()) && "alice".equals(e.actor())
        && e.message().equals("aborted during step run on t2 by alice: wrong config pushed"));
    assertThat(events).anyMatch(e -> e.kind() == DeploymentEvent.Kind.TRANSITION
        && e.to() == DeploymentState.ROLLING_BACK && e.message().startsWith("aborted by alice: wrong config pushed"));
    TargetRun t2 = fixture.deployments.targetRuns(d.id()).stream().filter(r -> r.target().equals("t2")).findFirst()
        .orElseThrow();
    assertThat(t2.state()).isEqualTo(TargetRunState.ROLLED_BACK);
    assertThat(fixture.deployments.stepRuns(t2)).anyMatch(s -> s.phase().equals(Engine.EXECUTE)
        && s.name().equals("run") && s.state() == StepRunState.FAILED
        && s.outcome().equals("aborted during step run on t2 by alice: wrong config pushed"));
  }

  @Test
  void with_the_ask_policy_an_abort_is_the_decision_already_made_and_the_deployment_stops_failed() throws Exception {
    configure("ask");
    push("2.0.0", SLEEPS);
    Deployment d = startSleeping();

    aborts.abort(d.id(), "maintenance window closed", "alice");
    Deployment ended = awaitEnd(d.id());

    assertThat(ended.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(ended.outcome()).startsWith("aborted by alice: maintenance window closed");
    assertThat(fixture.deployments.targetRuns(d.id())).allMatch(r -> r.state() == TargetRunState.FAILED
        && r.outcome().contains("aborted during step run on " + r.target() + " by alice"));
    assertThat(fixture.deployments.events(d.id(), 0)).noneMatch(e -> e.kind() == DeploymentEvent.Kind.WAIT);
  }

  @Test
  void a_deployment_waiting_for_a_decision_is_aborted_at_once() {
    configure("ask");
    push("2.0.0", "if [ \"$GANTRY_TARGET\" = t2 ]; then exit 3; fi\necho ok > out.txt\n");
    Deployment d = deploy("2.0.0");
    fixture.engine().runDue();
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.EXECUTING);

    aborts.abort(d.id(), "giving up on t2", "alice");
    fixture.engine().runDue();

    Deployment ended = fixture.deployments.get(d.id());
    assertThat(ended.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(ended.outcome()).isEqualTo("aborted by alice: giving up on t2");
  }

  @Test
  void only_an_executing_deployment_is_aborted_by_someone_allowed_to_with_a_reason() throws Exception {
    configure("stop");
    push("1.0.0", "echo ok > out.txt\n");
    Deployment waiting = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null,
        null, Deployment.Kind.DEPLOY, clock.instant().plus(Duration.ofHours(1)), null, null), "bob");

    assertThatThrownBy(() -> aborts.abort(waiting.id(), "not yet", "alice")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("has not started executing").hasMessageContaining("gantry cancel " + waiting.id());
    assertThatThrownBy(() -> aborts.abort(waiting.id(), " ", "alice")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> aborts.abort(waiting.id(), "mine", "owen")).isInstanceOf(AccessDeniedException.class);
    assertThat(fixture.deployments.abortRequest(waiting.id())).isEmpty();

    Deployment done = deploy("1.0.0");
    clock.advance(Duration.ofHours(2));
    fixture.engine().runDue();
    assertThatThrownBy(() -> aborts.abort(done.id(), "too late", "alice")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("has ended");
  }
}
