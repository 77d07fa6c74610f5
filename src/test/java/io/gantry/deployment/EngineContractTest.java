package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ArtifactStore;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.config.ConfigFile;
import io.gantry.config.ConfigService;
import io.gantry.identity.Actor;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.testing.MutableClock;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine carrying deployments onto real local targets (folders and processes), on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class EngineContractTest {

  private final TestDatabase database;
  private TestDatabase.Instance db;
  private Library library;
  private Deployments deployments;
  private DeploymentRequests requests;
  private Engine engine;
  private ArtifactStore store;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());

  @TempDir
  Path home;

  EngineContractTest(TestDatabase database) {
    this.database = database;
  }

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, controlled: true, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1, facts: {os: linux}}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t2}
      spec: {environment: qa, kind: local, path: t2, facts: {os: linux}}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t3}
      spec: {environment: qa, kind: local, path: t3, facts: {os: linux}}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: l1}
      spec: {environment: live, kind: local, path: l1, facts: {os: linux}}
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
      metadata: {name: manual}
      spec: {service: shop, type: documentation}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        targetRequirements:
          - {type: fact, fact: os, equals: linux}
        stages:
          - name: qa
            environment: qa
            strategy: {type: STRATEGY, batchSize: 1, maxParallel: 1}
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            acceptance:
              - {name: check, type: shell, command: "test \\"$(cat out.txt)\\" = ok", timeout: 30s}
            failurePolicy: {action: POLICY}
          - name: live
            environment: live
            steps:
              - {name: install, type: artifact.install, destination: releases}
      """;

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new EngineFixture(db, clock, home);
    store = fixture.store;
    library = fixture.library;
    deployments = fixture.deployments;
    requests = fixture.requests;
    engine = fixture.engine();
    configService = fixture.config;
  }

  private EngineFixture fixture;
  private ConfigService configService;

  private void configure(String strategy, String policy) {
    configService.apply(List.of(new ConfigFile("test.yaml",
        strategy(strategy).replace("POLICY", policy))), "test", "alice");
  }

  /** The configuration with the strategy's type; all at once has no batches to size. */
  static String strategy(String type) {
    return type.equals("all-at-once") ? CONFIG.replace("{type: STRATEGY, batchSize: 1, maxParallel: 1}",
        "{type: all-at-once, maxParallel: 1}") : CONFIG.replace("STRATEGY", type);
  }

  /** A version whose run.sh writes "ok" to out.txt, or fails on the named target. */
  private void push(String version, String failOn) {
    String script = failOn == null ? "echo ok > out.txt\n"
        : "if [ \"$GANTRY_TARGET\" = " + failOn + " ]; then echo broken >&2; exit 3; fi\necho ok > out.txt\n";
    library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment deploy(String version, String environment) {
    Deployment d = requests.request(new DeploymentRequests.Request("shop/web", version, environment, null, null), "bob");
    engine.runDue();
    return deployments.get(d.id());
  }

  private String current(String target) throws Exception {
    return Files.readSymbolicLink(home.resolve("targets").resolve(target).resolve("shop.web/current")).getFileName().toString();
  }

  @Test
  void an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds() throws Exception {
    configure("all-at-once", "stop");
    push("1.0.0", null);

    Deployment d = deploy("1.0.0", "qa");

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(deployments.targetRuns(d.id())).extracting(TargetRun::state).containsOnly(TargetRunState.SUCCEEDED);
    for (String t : List.of("t1", "t2", "t3")) {
      assertThat(current(t)).isEqualTo("1.0.0");
      assertThat(Files.readString(home.resolve("targets").resolve(t).resolve("shop.web/out.txt"))).isEqualTo("ok\n");
    }
    assertThat(deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.TRANSITION)
        .extracting(DeploymentEvent::to).containsExactly(DeploymentState.REQUESTED, DeploymentState.PLANNED,
            DeploymentState.COMPONENTS_VERIFIED, DeploymentState.ENVIRONMENT_VERIFIED, DeploymentState.EXECUTING,
            DeploymentState.VERIFYING, DeploymentState.SUCCEEDED);
    assertThat(d.startedAt()).isNotNull();
    assertThat(d.finishedAt()).isNotNull();
  }

  @Test
  void a_worker_done_with_a_deployment_takes_the_next_due_one_without_waiting_for_the_next_poll() throws Exception {
    configure("all-at-once", "stop");
    List<Deployment> backlog = new java.util.ArrayList<>();
    for (String version : List.of("1.0.0", "2.0.0", "3.0.0")) {
      push(version, null);
      backlog.add(requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob"));
    }
    Engine oneWorker = fixture.engine(1);

    assertThat(oneWorker.startDue()).as("claims made by the poll itself, with one worker").isEqualTo(1);

    Instant deadline = Instant.now().plusSeconds(60);
    while (backlog.stream().anyMatch(d -> !deployments.get(d.id()).state().isFinal())
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(backlog).extracting(d -> deployments.get(d.id()).state()).as("after one poll")
        .containsOnly(DeploymentState.SUCCEEDED);
    assertThat(current("t1")).isEqualTo("3.0.0");
  }

  @Test
  void a_rolling_deployment_stops_at_the_first_failed_batch_and_rolls_back_the_targets_it_touched() throws Exception {
    configure("rolling", "rollback");
    push("1.0.0", null);
    assertThat(deploy("1.0.0", "qa").state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", "t2");

    Deployment d = deploy("2.0.0", "qa");

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    Map<String, TargetRunState> states = new java.util.HashMap<>();
    deployments.targetRuns(d.id()).forEach(r -> states.put(r.target(), r.state()));
    assertThat(states).containsEntry("t1", TargetRunState.ROLLED_BACK).containsEntry("t2", TargetRunState.ROLLED_BACK)
        .containsEntry("t3", TargetRunState.PENDING);
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(current("t2")).isEqualTo("1.0.0");
    assertThat(current("t3")).isEqualTo("1.0.0");
    assertThat(deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message()).contains("exited with 3")
        .doesNotContain("Exception"));
  }

  @Test
  void with_the_stop_policy_a_failed_batch_ends_the_deployment_failed_without_touching_later_batches()
      throws Exception {
    configure("rolling", "stop");
    push("1.0.0", "t1");

    Deployment d = deploy("1.0.0", "qa");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).contains("batch 1 of 3 failed on t1");
    assertThat(Files.exists(home.resolve("targets/t2/shop.web/current"))).isFalse();
  }

  @Test
  void a_tampered_artifact_fails_component_verification_and_no_target_changes() throws Exception {
    configure("all-at-once", "stop");
    push("1.0.0", null);
    ComponentVersion v = library.get(new ComponentRef("shop", "web"), "1.0.0");
    String hex = v.artifacts().getFirst().digest().hex();
    Files.writeString(fixture.dataDir.resolve("dml/sha256").resolve(hex.substring(0, 2)).resolve(hex), "rm -rf /\n");

    Deployment d = deploy("1.0.0", "qa");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).startsWith("component verification").contains("altered");
    assertThat(deployments.targetRuns(d.id())).extracting(TargetRun::state).containsOnly(TargetRunState.PENDING);
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/releases"))).isFalse();
  }

  @Test
  void a_controlled_environment_refuses_a_version_that_is_not_approved_when_it_is_requested() {
    configure("all-at-once", "stop");
    push("1.0.0", null);

    assertThatThrownBy(() -> deploy("1.0.0", "live")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("may not be deployed to live");
    assertThat(deployments.page(new Deployments.Filter("live", null, null, null),
        io.gantry.shared.PageRequest.all()).total()).isZero();
    ComponentVersion v = library.get(new ComponentRef("shop", "web"), "1.0.0");
    library.changeStatus(v.component(), "1.0.0", VersionStatus.APPROVED, "tested", v.rowVersion(), "carol");
    assertThat(deploy("1.0.0", "live").state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change() throws Exception {
    configService.apply(List.of(new ConfigFile("test.yaml", strategy("all-at-once")
        .replace("POLICY", "stop").replace("path: t3, facts: {os: linux}", "path: t3, facts: {os: bsd}"))),
        "test", "alice");
    push("1.0.0", null);

    Deployment d = deploy("1.0.0", "qa");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).contains("target t3").contains("fact os is bsd");
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/current"))).isFalse();
  }

  @Test
  void unknown_versions_environments_and_models_that_do_not_apply_are_refused_and_leave_nothing_behind() {
    configure("all-at-once", "stop");
    push("1.0.0", null);

    assertThatThrownBy(() -> requests.request(new DeploymentRequests.Request("shop/web", "9.9.9", "qa", null, null), "bob"))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("shop/web@9.9.9");
    assertThatThrownBy(() -> requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "mars", null, null), "bob"))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("mars");
    library.push(new Library.Push(new ComponentRef("shop", "manual"), "1", Map.of("documentReference", "DOC-1"),
        List.of(), List.of()), "alice");
    assertThatThrownBy(() -> requests.request(new DeploymentRequests.Request("shop/manual", "1", "qa", null, null), "bob"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no deployment model applies to shop/manual");
    assertThatThrownBy(() -> requests.request(new DeploymentRequests.Request("shop/manual", "1", "qa", "software", null),
        "bob")).isInstanceOf(InvalidInputException.class).hasMessageContaining("does not apply");
    assertThat(db.count("deployments")).isZero();
    assertThat(db.count("work_items")).isZero();
  }

  @Test
  void a_non_idempotent_step_found_running_after_a_crash_is_not_run_again_and_the_record_says_so() throws Exception {
    configure("all-at-once", "stop");
    push("1.0.0", null);
    Deployment d = requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null), "bob");
    // Carry it to EXECUTING, then leave a step started and never finished, as a killed engine would.
    var tx = db.transactions();
    for (DeploymentState s : List.of(DeploymentState.PLANNED, DeploymentState.COMPONENTS_VERIFIED,
        DeploymentState.ENVIRONMENT_VERIFIED, DeploymentState.EXECUTING)) {
      tx.executeWithoutResult(st -> {
        if (s == DeploymentState.PLANNED) {
          deployments.addTargetRun(d.id(), "t1", 0, null);
        }
        deployments.transition(deployments.get(d.id()), s, "gantry", "test", clock.instant());
      });
    }
    TargetRun run = tx.execute(st -> deployments.transition(deployments.targetRuns(d.id()).getFirst(),
        TargetRunState.RUNNING, null, clock.instant()));
    tx.executeWithoutResult(st -> deployments.startStep(run, Engine.EXECUTE, 0, "install", "artifact.install", false, 1,
        clock.instant()));
    db.jdbc().sql("update work_items set owner = 'dead-engine', lease_until = :past where deployment_id = :d")
        .param("past", java.sql.Timestamp.from(clock.instant().minusSeconds(60))).param("d", d.id()).update();

    engine.runDue();

    Deployment after = deployments.get(d.id());
    assertThat(after.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(after.outcome()).contains("outcome is unknown").contains("not declared idempotent");
    assertThat(deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.INTERRUPTION)
        .extracting(DeploymentEvent::message).anySatisfy(m -> assertThat(m).contains("dead-engine"));
  }

  @Test
  void with_the_ask_policy_a_failed_target_waits_for_a_person_who_retries_skips_or_aborts() {
    configure("rolling", "ask");
    var users = fixture.users;
    users.create("carol", null, java.util.EnumSet.of(io.gantry.identity.Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    users.create("erin", null, java.util.EnumSet.of(io.gantry.identity.Role.AUDITOR), Actor.GANTRY);
    var decisions = fixture.decisions;
    push("1.0.0", "t2");

    Deployment d = deploy("1.0.0", "qa");
    assertThat(d.state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(deployments.events(d.id(), 0).getLast().message()).contains("a person to decide on t2");
    assertThatThrownBy(() -> decisions.decide(d.id(), new DeploymentDecisions.Request("t2", null, "skip", "no", null),
        "erin")).isInstanceOf(org.springframework.security.access.AccessDeniedException.class);

    decisions.decide(d.id(), new DeploymentDecisions.Request("t2", null, "retry", "maybe it was transient", null),
        "carol");
    engine.runDue();
    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message()).contains("retried as carol"));

    decisions.decide(d.id(), new DeploymentDecisions.Request("t2", null, "skip", "t2 is being replaced", null),
        "carol");
    engine.runDue();
    Deployment done = deployments.get(d.id());
    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    Map<String, TargetRunState> states = new java.util.HashMap<>();
    deployments.targetRuns(d.id()).forEach(r -> states.put(r.target(), r.state()));
    assertThat(states).containsEntry("t1", TargetRunState.SUCCEEDED).containsEntry("t2", TargetRunState.SKIPPED)
        .containsEntry("t3", TargetRunState.SUCCEEDED);

    push("2.0.0", "t1");
    Deployment second = deploy("2.0.0", "qa");
    decisions.decide(second.id(), new DeploymentDecisions.Request("t1", null, "abort", "stop everything", null),
        "carol");
    engine.runDue();
    assertThat(deployments.get(second.id()).state()).isEqualTo(DeploymentState.FAILED);
    assertThat(deployments.get(second.id()).outcome()).startsWith("aborted by carol: stop everything");
  }

  @Test
  void a_deployment_is_cancelled_before_it_executes_but_not_after_and_the_reason_is_recorded() {
    configure("all-at-once", "stop");
    push("1.0.0", null);
    Deployment waiting = requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null), "bob");

    Deployment cancelled = requests.cancel(waiting.id(), "wrong version", "carol");
    engine.runDue();

    assertThat(deployments.get(waiting.id()).state()).isEqualTo(DeploymentState.CANCELLED);
    assertThat(cancelled.outcome()).isEqualTo("cancelled: wrong version");
    assertThat(deployments.events(waiting.id(), 0).getLast().actor()).isEqualTo("carol");
    assertThat(db.count("work_items")).isZero();
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/current"))).isFalse();

    Deployment done = deploy("1.0.0", "qa");
    assertThatThrownBy(() -> requests.cancel(done.id(), "too late", "carol"))
        .isInstanceOf(io.gantry.shared.ConflictException.class).hasMessageContaining("can no longer be cancelled");
    assertThatThrownBy(() -> requests.cancel(done.id(), " ", "carol")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void deployments_to_one_environment_and_component_wait_their_turn_and_the_wait_is_recorded() {
    configure("all-at-once", "stop");
    push("1.0.0", null);
    Deployment first = requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null), "bob");
    Deployment second = requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null), "bob");
    // Claim the second first: it must wait for the first.
    db.jdbc().sql("update work_items set due_at = :later where deployment_id = :d")
        .param("later", java.sql.Timestamp.from(clock.instant().plusSeconds(1))).param("d", first.id()).update();

    engine.runDue();
    assertThat(deployments.get(second.id()).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(deployments.events(second.id(), 0)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(DeploymentEvent.Kind.WAIT);
      assertThat(e.message()).contains("deployment #" + first.id());
    });

    clock.advance(Duration.ofSeconds(10));
    engine.runDue();
    assertThat(deployments.get(first.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(deployments.get(second.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }
}
