package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A target runs one deployment's steps at a time, whatever the component, across engines on one
 * database: the one that finds it held waits (a wait of its own kind, naming the holder), and goes on
 * once the holder lets go, whether it succeeded, failed, or its engine died.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class TargetLocksContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private TestDatabase.Instance db;

  @TempDir
  Path home;

  TargetLocksContractTest(TestDatabase database) {
    this.database = database;
  }

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
      kind: Component
      metadata: {name: api}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: cart}
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
      """;

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new EngineFixture(db, clock, home);
    fixture.apply(CONFIG);
  }

  private void push(String component, String version, String script) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", component), version, Map.of(), List.of(
        new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment request(String component, String version) {
    return fixture.requests.request(new DeploymentRequests.Request("shop/" + component, version, "qa", null, null),
        "bob");
  }

  private Deployment get(Deployment d) {
    return fixture.deployments.get(d.id());
  }

  private List<DeploymentEvent> waits(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT).toList();
  }

  /** A step of web that holds the target until the test lets it go; api's step fails if it runs meanwhile. */
  private static final String HOLDS = "touch ../../web-started\nwhile [ ! -e ../../go ]; do sleep 0.05; done\n"
      + "touch ../../web-done\n";
  private static final String CHECKS = "if [ -e ../../web-started ] && [ ! -e ../../web-done ]; then "
      + "echo ran while web held the target >&2; exit 1; fi\necho api > ran.txt\n";

  @Test
  void a_deployment_of_another_component_waits_for_the_target_held_by_a_deployment_on_another_engine()
      throws Exception {
    push("web", "1.0.0", HOLDS);
    push("api", "1.0.0", CHECKS);
    Engine first = fixture.engine();
    Engine second = fixture.engine();
    Deployment web = request("web", "1.0.0");
    CompletableFuture<Integer> holding = CompletableFuture.supplyAsync(first::runDue);
    await(() -> Files.exists(home.resolve("targets/web-started")));

    Deployment api = request("api", "1.0.0");
    second.runDue();

    assertThat(get(api).state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(waits(api)).last().satisfies(w -> {
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.TARGET_BUSY);
      assertThat(w.message()).contains("target t1 to be free: deployment #" + web.id() + " (shop/web)");
    });
    assertThat(fixture.deployments.targetRuns(api.id())).extracting(TargetRun::state)
        .as("it has not started on a target it waits for").contains(TargetRunState.PENDING);

    Files.createFile(home.resolve("targets/go"));
    holding.get(60, TimeUnit.SECONDS);
    // the holder's end woke the waiting one at once: no look after the usual interval was needed
    second.runDue();
    first.runDue();

    assertThat(get(web).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(get(api).state()).as(get(api).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(home.resolve("targets/t1/shop.api/ran.txt")).hasContent("api");
    assertThat(db.count("target_locks")).as("every target let go of").isZero();
  }

  @Test
  void two_deployments_that_each_need_the_same_two_targets_both_finish_on_two_engines() throws Exception {
    push("web", "1.0.0", "sleep 0.2\necho web > ran.txt\n");
    push("api", "1.0.0", "sleep 0.2\necho api > ran.txt\n");
    Deployment web = request("web", "1.0.0");
    Deployment api = request("api", "1.0.0");

    CompletableFuture<Integer> one = CompletableFuture.supplyAsync(fixture.engine()::runDue);
    CompletableFuture<Integer> two = CompletableFuture.supplyAsync(fixture.engine()::runDue);
    one.get(120, TimeUnit.SECONDS);
    two.get(120, TimeUnit.SECONDS);
    // a deployment that looked at a busy target just before it was let go of is woken, and taken by
    // the next look of either engine
    fixture.engine().runDue();

    assertThat(get(web).state()).as(get(web).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(get(api).state()).as(get(api).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    for (String t : List.of("t1", "t2")) {
      assertThat(home.resolve("targets/" + t + "/shop.web/ran.txt")).hasContent("web");
      assertThat(home.resolve("targets/" + t + "/shop.api/ran.txt")).hasContent("api");
    }
    assertThat(db.count("target_locks")).isZero();
  }

  @Test
  void a_target_let_go_of_wakes_only_the_deployment_that_waited_longest_and_the_next_gets_its_turn_after_it() {
    for (String component : List.of("web", "api", "cart")) {
      push(component, "1.0.0", "true\n");
    }
    Deployment web = request("web", "1.0.0");
    Deployment api = request("api", "1.0.0");
    Deployment cart = request("cart", "1.0.0");
    TargetLocks locks = new TargetLocks(db.jdbc(), db.transactions());
    Instant now = clock.instant();
    assertThat(locks.take(web.id(), "t1", now)).isEmpty();
    assertThat(locks.take(cart.id(), "t1", now)).as("cart finds it held first").isPresent();
    assertThat(locks.take(api.id(), "t1", now.plusSeconds(1))).isPresent();
    assertThat(locks.take(cart.id(), "t1", now.plusSeconds(2))).as("a second look keeps its place").isPresent();
    db.jdbc().sql("update work_items set due_at = :later").param("later", Timestamp.from(now.plusSeconds(3600)))
        .update();

    db.transactions().executeWithoutResult(s -> locks.release(web.id(), "t1", now));
    assertThat(dueNow(now)).as("only the first in the queue is woken").containsExactly(cart.id());

    assertThat(locks.take(cart.id(), "t1", now)).isEmpty();
    db.transactions().executeWithoutResult(s -> locks.release(cart.id(), "t1", now));
    assertThat(dueNow(now)).as("then the next, in its turn").containsExactly(api.id(), cart.id());

    db.jdbc().sql("update work_items set due_at = :later").param("later", Timestamp.from(now.plusSeconds(3600)))
        .update();
    assertThat(locks.take(web.id(), "t1", now)).isEmpty();
    db.transactions().executeWithoutResult(s -> locks.releaseAll(api.id(), now));
    assertThat(db.count("target_waiters")).as("a deployment that ends leaves every queue").isZero();
    assertThat(dueNow(now)).as("with no one left in the queue, no one is woken").isEmpty();
  }

  private List<Long> dueNow(Instant now) {
    return db.jdbc().sql("select deployment_id from work_items where due_at <= :now order by deployment_id")
        .param("now", Timestamp.from(now)).query(Long.class).list();
  }

  @Test
  void a_deployment_that_fails_on_a_target_lets_go_of_it_and_the_waiting_one_runs() throws Exception {
    push("web", "1.0.0", HOLDS + "exit 3\n");
    push("api", "1.0.0", CHECKS);
    Engine engine = fixture.engine();
    Deployment web = request("web", "1.0.0");
    CompletableFuture<Integer> holding = CompletableFuture.supplyAsync(engine::runDue);
    await(() -> Files.exists(home.resolve("targets/web-started")));
    Deployment api = request("api", "1.0.0");
    fixture.engine().runDue();
    assertThat(waits(api)).extracting(DeploymentEvent::waitingFor).contains(DeploymentEvent.WaitKind.TARGET_BUSY);

    Files.createFile(home.resolve("targets/go"));
    holding.get(60, TimeUnit.SECONDS);
    engine.runDue();

    assertThat(get(web).state()).isEqualTo(DeploymentState.FAILED);
    assertThat(get(api).state()).as(get(api).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_target_held_by_a_deployment_whose_engine_died_is_let_go_of_when_another_engine_finishes_that_deployment() {
    push("web", "1.0.0", "echo web > ran.txt\n");
    push("api", "1.0.0", "echo api > ran.txt\n");
    Deployment web = request("web", "1.0.0");
    // an engine claimed web, took t1 for it, and died before it ran a step
    fixture.deployments.claim("dead-engine", clock.instant(), Duration.ofSeconds(30));
    new TargetLocks(fixture.deployments.jdbc(), db.transactions()).take(web.id(), "t1", clock.instant());
    Deployment api = request("api", "1.0.0");
    Engine engine = fixture.engine();

    engine.runDue();
    assertThat(get(api).state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(waits(api)).last().extracting(DeploymentEvent::message).asString()
        .contains("deployment #" + web.id() + " (shop/web)");

    // the dead engine's lease on web runs out (by the database's clock, which leases follow)
    db.jdbc().sql("update work_items set lease_until = current_timestamp - interval '1' second where owner = "
        + "'dead-engine'").update();
    clock.advance(Duration.ofSeconds(31));
    engine.runDue();
    engine.runDue();

    assertThat(get(web).state()).as(get(web).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(get(api).state()).as(get(api).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(db.count("target_locks")).isZero();
  }

  @Test
  void a_target_held_by_a_deployment_that_has_ended_is_taken_over() {
    push("api", "1.0.0", "echo api > ran.txt\n");
    push("web", "1.0.0", "echo web > ran.txt\n");
    Deployment web = request("web", "1.0.0");
    fixture.engine().runDue();
    TargetLocks locks = new TargetLocks(fixture.deployments.jdbc(), db.transactions());
    // as if web had ended without letting go (the row is what a crash between the two would leave)
    db.jdbc().sql("insert into target_locks (target, deployment_id, acquired_at) values ('t1', :d, :at)")
        .param("d", web.id()).param("at", java.sql.Timestamp.from(clock.instant())).update();
    assertThat(locks.holder("t1")).as("an ended deployment holds nothing").isEmpty();

    Deployment api = request("api", "1.0.0");
    fixture.engine().runDue();

    assertThat(get(api).state()).as(get(api).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(waits(api)).extracting(DeploymentEvent::waitingFor).doesNotContain(DeploymentEvent.WaitKind.TARGET_BUSY);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("did not happen within 60 s");
      }
      Thread.sleep(20);
    }
  }
}
