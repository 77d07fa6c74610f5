package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.execution.StepContext;
import io.gantry.execution.StepOutcome;
import io.gantry.execution.StepRunner;
import io.gantry.model.Step;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's leases are fenced: every claim of a deployment raises its fencing token, every write made
 * under a claim checks it, leases follow the database's clock, and a worker that lost its lease stops
 * its steps and says so in the deployment's record, writing nothing else there.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class LeasesContractTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private final TestDatabase database;
  @TempDir Path home;

  LeasesContractTest(TestDatabase database) {
    this.database = database;
  }

  private Deployment requested(Deployments deployments, Instant at) {
    return deployments.create(new Deployments.NewDeployment(new ComponentRef("shop", "web"), "1.0.0", "qa", "m", 1,
        "qa", "bob", "test"), at);
  }

  /** As if the holder had been paused past its lease: its lease has run out by the database's clock. */
  private static void leaseRunsOut(TestDatabase.Instance db, long deployment) {
    db.jdbc().sql("update work_items set lease_until = current_timestamp - interval '1' second where deployment_id = :d")
        .param("d", deployment).update();
  }

  private static Lease lease(Deployments.Claim claim, String owner) {
    return new Lease(claim.deployment(), owner, claim.fence(), LEASE, System.nanoTime());
  }

  @Test
  void a_write_under_a_claim_that_another_engine_claimed_since_fails_and_changes_nothing() {
    TestDatabase.Instance db = database.create();
    Deployments deployments = new Deployments(db.jdbc());
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Deployment d = requested(deployments, now);
    Deployments.Claim first = deployments.claim("node-a/worker-1", now, LEASE).orElseThrow();
    Lease a = lease(first, "node-a/worker-1");
    StepRun[] running = new StepRun[1];
    TargetRun[] run = new TargetRun[1];
    a.bind(() -> db.transactions().executeWithoutResult(s -> {
      deployments.addTargetRun(d.id(), "t1", 0, null);
      run[0] = deployments.transition(deployments.targetRuns(d.id()).getFirst(), TargetRunState.RUNNING, null, now);
      running[0] = deployments.startStep(run[0], Engine.EXECUTE, 0, "one", "shell", false, 1, now);
    }));

    leaseRunsOut(db, d.id());
    Deployments.Claim second = deployments.claim("node-b/worker-1", now, LEASE).orElseThrow();
    assertThat(second.fence()).as("every claim raises the token").isGreaterThan(first.fence());
    assertThat(second.previousOwner()).isEqualTo("node-a/worker-1");
    long events = db.count("deployment_events");
    long steps = db.count("step_runs");

    a.bind(() -> {
      assertThatThrownBy(() -> db.transactions().executeWithoutResult(s ->
          deployments.startStep(run[0], Engine.EXECUTE, 1, "two", "shell", false, 1, now)))
          .isInstanceOf(LeaseLost.class).hasMessageContaining("claimed again since (claim " + second.fence());
      assertThatThrownBy(() -> db.transactions().executeWithoutResult(s ->
          deployments.finishStep(running[0], run[0], StepRunState.SUCCEEDED, "out", "done", now)))
          .isInstanceOf(LeaseLost.class);
      assertThatThrownBy(() -> db.transactions().executeWithoutResult(s ->
          deployments.transition(deployments.get(d.id()), DeploymentState.CANCELLED, "gantry", "stale", now)))
          .isInstanceOf(LeaseLost.class);
      assertThatThrownBy(() -> db.transactions().executeWithoutResult(s ->
          deployments.transition(run[0], TargetRunState.FAILED, "stale", now))).isInstanceOf(LeaseLost.class);
      assertThatThrownBy(() -> deployments.complete(d.id())).isInstanceOf(LeaseLost.class);
    });
    assertThat(a.lost()).isTrue();
    assertThat(deployments.extend(first, "node-a/worker-1", LEASE)).as("the stale claim is not extended").isFalse();
    assertThat(deployments.release(first, "node-a/worker-1", now, now)).as("nor released").isFalse();

    assertThat(db.count("deployment_events")).isEqualTo(events);
    assertThat(db.count("step_runs")).isEqualTo(steps);
    assertThat(deployments.stepRuns(d.id())).singleElement()
        .satisfies(s -> assertThat(s.state()).isEqualTo(StepRunState.RUNNING));
    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(deployments.targetRuns(d.id()).getFirst().state()).isEqualTo(TargetRunState.RUNNING);
    assertThat(db.jdbc().sql("select owner from work_items where deployment_id = :d").param("d", d.id())
        .query(String.class).single()).isEqualTo("node-b/worker-1");

    // the new holder writes as usual
    lease(second, "node-b/worker-1").bind(() -> db.transactions().executeWithoutResult(s ->
        deployments.finishStep(running[0], run[0], StepRunState.UNKNOWN, null, "interrupted", now)));
    assertThat(deployments.stepRuns(d.id()).getFirst().state()).isEqualTo(StepRunState.UNKNOWN);
  }

  @Test
  void on_postgresql_no_claim_falls_between_a_writes_check_of_its_claim_and_its_commit() throws Exception {
    // H2 is one server's own database: there a step's start is looked at again after its commit instead
    org.junit.jupiter.api.Assumptions.assumeTrue(database == TestDatabase.POSTGRESQL);
    TestDatabase.Instance db = database.create();
    Deployments deployments = new Deployments(db.jdbc());
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Deployment d = requested(deployments, now);
    Deployments.Claim first = deployments.claim("node-a/worker-1", now, LEASE).orElseThrow();
    Lease a = lease(first, "node-a/worker-1");
    TargetRun[] run = new TargetRun[1];
    a.bind(() -> db.transactions().executeWithoutResult(s -> {
      deployments.addTargetRun(d.id(), "t1", 0, null);
      run[0] = deployments.transition(deployments.targetRuns(d.id()).getFirst(), TargetRunState.RUNNING, null, now);
    }));
    leaseRunsOut(db, d.id());

    // the holder checks its claim and writes a step's start, then stalls before its commit (a frozen server)
    java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch goOn = new java.util.concurrent.CountDownLatch(1);
    ExecutorService holder = Executors.newSingleThreadExecutor();
    try {
      Future<?> commit = holder.submit(() -> a.bind(() -> db.transactions().executeWithoutResult(s -> {
        deployments.startStep(run[0], Engine.EXECUTE, 0, "one", "shell", false, 1, now);
        written.countDown();
        try {
          goOn.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      })));
      assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(deployments.claim("node-b/worker-1", now, LEASE))
          .as("a claim while the stalled write is open, its lease run out").isEmpty();
      goOn.countDown();
      commit.get(30, TimeUnit.SECONDS);
    } finally {
      goOn.countDown();
      holder.shutdownNow();
    }

    // once it has committed, the next holder finds the step started (and would not run it again)
    Deployments.Claim second = deployments.claim("node-b/worker-1", now, LEASE).orElseThrow();
    assertThat(second.previousOwner()).isEqualTo("node-a/worker-1");
    assertThat(deployments.stepRuns(d.id())).singleElement()
        .satisfies(st -> assertThat(st.state()).isEqualTo(StepRunState.RUNNING));
  }

  @Test
  void claims_follow_the_database_clock_whatever_the_nodes_clocks_say() {
    TestDatabase.Instance db = database.create();
    Deployments deployments = new Deployments(db.jdbc());
    Instant farBehind = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minus(Duration.ofDays(3650));
    Instant farAhead = Instant.now().plus(Duration.ofDays(3650));
    Deployment d = requested(deployments, farBehind);

    assertThat(deployments.claim("behind/worker-1", farBehind, LEASE)).isPresent();
    assertThat(db.jdbc().sql("""
        select count(*) from work_items where deployment_id = :d and lease_until > current_timestamp
           and lease_until <= current_timestamp + interval '31' second
        """).param("d", d.id()).query(Long.class).single())
        .as("the lease ends 30 s after the database's now, not the node's").isEqualTo(1);
    assertThat(deployments.claim("ahead/worker-1", farAhead, LEASE))
        .as("a node whose clock is ten years ahead does not see the lease as run out").isEmpty();

    leaseRunsOut(db, d.id());
    assertThat(deployments.claim("behind/worker-2", farBehind, LEASE))
        .as("a node whose clock is ten years behind sees it run out when the database does")
        .hasValueSatisfying(c -> assertThat(c.previousOwner()).isEqualTo("behind/worker-1"));
  }

  private EngineFixture fixture(TestDatabase.Instance db, String steps, String targets) throws Exception {
    return fixture(db, steps, targets, "");
  }

  /** With {@code stage} (e.g. a strategy) added to the stage, before its steps. */
  private EngineFixture fixture(TestDatabase.Instance db, String steps, String targets, String stage)
      throws Exception {
    EngineFixture fixture = new EngineFixture(db, Clock.systemUTC(), home);
    StringBuilder yaml = new StringBuilder("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: svc}
        spec: {owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: app}
        spec: {service: svc, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: m}
        spec:
          appliesTo: {services: [svc]}
          stages:
            - name: qa
              environment: qa
        """).append(stage.indent(6)).append("      steps:\n").append(steps.indent(8));
    for (String t : targets.split(",")) {
      yaml.append("---\napiVersion: gantry.io/v1\nkind: Target\nmetadata: {name: ").append(t)
          .append("}\nspec: {environment: qa, kind: local, path: ").append(t).append("}\n");
    }
    fixture.apply(yaml.toString());
    fixture.library.push(new Library.Push(new ComponentRef("svc", "app"), "1.0.0", Map.of(),
        List.of(new Library.Upload("a.txt", () -> new ByteArrayInputStream("a".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    return fixture;
  }

  private Path folder(String target) {
    return home.resolve("targets/" + target + "/svc.app");
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

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void an_engine_is_not_made_with_a_lease_too_short_for_its_heartbeat() throws Exception {
    EngineFixture fixture = fixture(database.create(), """
        - {name: one, type: shell, command: "true"}
        """, "t1");
    assertThatThrownBy(() -> fixture.engineLeasingFor(Duration.ofMillis(50)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gantry.engine.lease must be at least 100ms").hasMessageContaining("PT0.05S");
  }

  @Test
  void two_engines_started_at_once_on_one_deployment_run_each_step_once() throws Exception {
    TestDatabase.Instance db = database.create();
    EngineFixture fixture = fixture(db, """
        - {name: one, type: shell, command: "echo one-$$ >> ../runs.log"}
        - {name: two, type: shell, command: "echo two-$$ >> ../runs.log"}
        - {name: three, type: shell, command: "echo three-$$ >> ../runs.log"}
        """, "t1,t2,t3");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    List<Engine> engines = List.of(fixture.engine(), fixture.engine());

    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<Integer>> claims = engines.stream().map(e -> pool.submit(e::runDue)).toList();
    int total = 0;
    for (Future<Integer> f : claims) {
      total += f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();

    assertThat(total).isGreaterThanOrEqualTo(1);
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    for (String t : List.of("t1", "t2", "t3")) {
      assertThat(lines(home.resolve("targets/" + t + "/runs.log"))).as(t)
          .extracting(line -> line.substring(0, line.indexOf('-'))).containsExactly("one", "two", "three");
    }
  }

  @Test
  void two_engines_whose_leases_are_shorter_than_each_step_never_run_a_step_twice() throws Exception {
    TestDatabase.Instance db = database.create();
    EngineFixture fixture = fixture(db, """
        - {name: one, type: shell, command: "sleep 0.4; echo one >> ../runs.log"}
        - {name: two, type: shell, command: "sleep 0.4; echo two >> ../runs.log"}
        - {name: three, type: shell, command: "sleep 0.4; echo three >> ../runs.log"}
        """, "t1,t2,t3");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    // each step outlasts the lease: only the heartbeat keeps it, and a late beat lets the other engine in
    List<Engine> engines = List.of(fixture.engineLeasingFor(Duration.ofMillis(300)),
        fixture.engineLeasingFor(Duration.ofMillis(300)));

    ExecutorService pool = Executors.newFixedThreadPool(2);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    List<Future<?>> loops = engines.stream().<Future<?>>map(e -> pool.submit(() -> {
      while (!fixture.deployments.get(d.id()).state().isFinal() && System.nanoTime() < deadline) {
        e.runDue();
        try {
          Thread.sleep(20); // between looks, as the server's poll does
        } catch (InterruptedException stop) {
          return;
        }
      }
    })).toList();
    for (Future<?> f : loops) {
      f.get(3, TimeUnit.MINUTES);
    }
    pool.shutdown();

    assertThat(fixture.deployments.get(d.id()).state().isFinal()).isTrue();
    for (String t : List.of("t1", "t2", "t3")) {
      assertThat(lines(home.resolve("targets/" + t + "/runs.log"))).as(t).doesNotHaveDuplicates();
    }
    if (fixture.deployments.get(d.id()).state() == DeploymentState.SUCCEEDED) {
      for (String t : List.of("t1", "t2", "t3")) {
        assertThat(lines(home.resolve("targets/" + t + "/runs.log"))).as(t).containsExactly("one", "two", "three");
      }
    }
  }

  @Test
  void a_worker_paused_past_its_lease_has_its_step_stopped_writes_nothing_after_the_next_claim_and_says_so()
      throws Exception {
    TestDatabase.Instance db = database.create();
    // the first run of the step stalls; a run after it does not
    EngineFixture fixture = fixture(db, """
        - name: one
          type: shell
          idempotent: true
          command: |
            echo start-$$ >> ../runs.log
            if [ ! -e ../stalled ]; then touch ../stalled; sleep 120; fi
            echo done-$$ >> ../runs.log
        """, "t1");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    Path runs = home.resolve("targets/t1/runs.log");
    Engine paused = fixture.engine();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Integer> first = pool.submit(paused::runDue);
    await("the first run of the step to start", Duration.ofSeconds(60), () -> lines(runs).size() == 1);
    String firstOwner = db.jdbc().sql("select owner from work_items where deployment_id = :d").param("d", d.id())
        .query(String.class).single();

    // its worker stalls past its lease (its heartbeat comes every 10 s): another engine claims the deployment
    leaseRunsOut(db, d.id());
    Engine other = fixture.engine();
    assertThat(other.runDue()).isEqualTo(1);
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);

    // the paused worker's heartbeat finds the claim gone: its step is stopped, and it ends its work
    first.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    List<String> lines = lines(runs);
    assertThat(lines).hasSize(3);
    String firstRun = lines.get(0).substring("start-".length());
    String secondRun = lines.get(1).substring("start-".length());
    assertThat(lines.get(2)).as("only the second run ended; the first was killed").isEqualTo("done-" + secondRun);
    assertThat(firstRun).isNotEqualTo(secondRun);

    // its step's run reads as the next holder recorded it (interrupted, outcome unknown), not as it ended
    List<StepRun> steps = fixture.deployments.stepRuns(d.id());
    assertThat(steps).extracting(StepRun::state).containsExactly(StepRunState.UNKNOWN, StepRunState.SUCCEEDED);
    // (its heartbeat may find the claim gone while the other engine still works: the entry may come before the end)
    List<DeploymentEvent> record = fixture.deployments.events(d.id(), 0);
    List<DeploymentEvent> byTheFirst = record.stream()
        .filter(e -> e.kind() == DeploymentEvent.Kind.INTERRUPTION && firstOwner.equals(e.actor())).toList();
    assertThat(byTheFirst).as("the paused worker's entries of its interruption").hasSize(1);
    DeploymentEvent lost = byTheFirst.getFirst();
    assertThat(lost.actor()).isEqualTo(firstOwner);
    assertThat(lost.message()).contains("lost its lease").contains("stopped step one on t1");
  }

  @Test
  void a_step_the_engine_before_found_interrupted_and_left_unknown_is_not_run_again_when_it_is_not_idempotent()
      throws Exception {
    TestDatabase.Instance db = database.create();
    EngineFixture fixture = fixture(db, """
        - name: one
          type: shell
          command: |
            echo start-$$ >> ../runs.log
            sleep 120
        """, "t1");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    Path runs = home.resolve("targets/t1/runs.log");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Integer> first = pool.submit(fixture.engine()::runDue);
    await("the step to start", Duration.ofSeconds(60), () -> lines(runs).size() == 1);

    // the engine that takes over records the step's outcome as unknown, then loses its own lease (a restart of the
    // database, a pause) before it fails the target
    leaseRunsOut(db, d.id());
    Deployments.Claim second = fixture.deployments.claim("node-b/worker-1", Instant.now(), LEASE).orElseThrow();
    TargetRun run = fixture.deployments.targetRuns(d.id()).getFirst();
    StepRun running = fixture.deployments.stepRuns(run).getFirst();
    lease(second, "node-b/worker-1").bind(() -> db.transactions().executeWithoutResult(s ->
        fixture.deployments.finishStep(running, run, StepRunState.UNKNOWN, null, "interrupted", Instant.now())));
    leaseRunsOut(db, d.id());

    fixture.engine().runDue();
    first.get(60, TimeUnit.SECONDS);
    pool.shutdown();

    assertThat(lines(runs)).as("the step ran once").hasSize(1);
    assertThat(fixture.deployments.stepRuns(d.id())).extracting(StepRun::state).containsExactly(StepRunState.UNKNOWN);
    TargetRun ended = fixture.deployments.targetRuns(d.id()).getFirst();
    assertThat(ended.state()).isEqualTo(TargetRunState.FAILED);
    assertThat(ended.outcome()).contains("its outcome is unknown and it is not declared idempotent");
  }

  @Test
  void a_batch_whose_first_target_breaks_keeps_its_claim_until_the_other_targets_step_has_ended() throws Exception {
    TestDatabase.Instance db = database.create();
    EngineFixture fixture = fixture(db, """
        - {name: one, type: shell, command: "sleep 2; echo done > done.txt"}
        """, "t1,t2");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    StepRunner breaksOnT1 = new StepRunner(Clock.systemUTC()) {
      @Override
      public StepOutcome run(Step step, StepContext ctx) {
        if (ctx.targetName().equals("t1")) {
          throw new IllegalStateException("the runner broke on t1");
        }
        return super.run(step, ctx);
      }
    };

    fixture.engine(breaksOnT1).runDue();

    // when the claim is released, t2's step has ended and its end is recorded
    assertThat(db.jdbc().sql("select count(*) from work_items where deployment_id = :d and owner is not null")
        .param("d", d.id()).query(Long.class).single()).isZero();
    assertThat(folder("t2").resolve("done.txt")).exists();
    TargetRun t2 = fixture.deployments.targetRuns(d.id()).stream().filter(r -> r.target().equals("t2")).findFirst()
        .orElseThrow();
    assertThat(t2.state()).isEqualTo(TargetRunState.SUCCEEDED);
    assertThat(fixture.deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.INTERRUPTION)
        .singleElement().satisfies(e -> assertThat(e.message()).as("the record says why the worker stopped short")
            .contains("could not go on with deployment #" + d.id() + " (IllegalStateException: the runner broke on t1)")
            .endsWith("it lets go of it, to be taken on again in 5s"));
  }

  @Test
  void a_server_that_stops_lets_go_once_the_batch_under_way_has_ended_and_another_goes_on_with_the_next()
      throws Exception {
    TestDatabase.Instance db = database.create();
    EngineFixture fixture = fixture(db, """
        - {name: one, type: shell, command: "echo one-$GANTRY_TARGET >> ../../runs.log; sleep 1"}
        - {name: two, type: shell, command: "echo two-$GANTRY_TARGET >> ../../runs.log"}
        """, "t1,t2", "strategy: {type: rolling, batchSize: 1}");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    Path runs = home.resolve("targets/runs.log");
    Engine stopping = fixture.engine();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Integer> first = pool.submit(stopping::runDue);
    await("t1's first step to start", Duration.ofSeconds(60), () -> lines(runs).contains("one-t1"));

    assertThat(stopping.drain(Duration.ofSeconds(30))).as("it let go within the drain time").isTrue();
    first.get(60, TimeUnit.SECONDS);
    pool.shutdown();

    assertThat(lines(runs)).as("the batch under way ended; the next was left").containsExactly("one-t1", "two-t1");
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(db.jdbc().sql("select count(*) from work_items where deployment_id = :d and owner is null")
        .param("d", d.id()).query(Long.class).single()).as("the claim is released, the deployment due").isOne();
    assertThat(stopping.runDue()).as("a stopping engine claims nothing").isZero();

    assertThat(fixture.engine().runDue()).isEqualTo(1);
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(lines(runs)).containsExactly("one-t1", "two-t1", "one-t2", "two-t2");
    assertThat(fixture.deployments.events(d.id(), 0)).noneMatch(e -> e.kind() == DeploymentEvent.Kind.INTERRUPTION);
  }

  @Test
  void a_server_whose_step_outlasts_the_drain_time_stops_it_and_says_so() throws Exception {
    TestDatabase.Instance db = database.create();
    EngineFixture fixture = fixture(db, """
        - {name: one, type: shell, command: "echo start >> ../runs.log; sleep 30; echo done >> ../runs.log"}
        """, "t1");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("svc/app", "1.0.0", "qa", null, null),
        "bob");
    Path runs = home.resolve("targets/t1/runs.log");
    Engine stopping = fixture.engine();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Integer> first = pool.submit(stopping::runDue);
    await("the step to start", Duration.ofSeconds(60), () -> lines(runs).size() == 1);
    String owner = db.jdbc().sql("select owner from work_items where deployment_id = :d").param("d", d.id())
        .query(String.class).single();

    assertThat(stopping.drain(Duration.ofMillis(500))).as("it did not let go within the drain time").isFalse();
    first.get(60, TimeUnit.SECONDS);
    pool.shutdown();

    assertThat(lines(runs)).as("the step was stopped").containsExactly("start");
    DeploymentEvent lost = fixture.deployments.events(d.id(), 0).getLast();
    assertThat(lost.kind()).isEqualTo(DeploymentEvent.Kind.INTERRUPTION);
    assertThat(lost.actor()).isEqualTo(owner);
    assertThat(lost.message()).contains("the server stopped, and the steps of this worker had not ended within the "
        + "0.5s it waits for them").contains("stopped step one on t1");
  }
}
