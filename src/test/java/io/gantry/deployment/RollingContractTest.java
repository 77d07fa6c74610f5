package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.shared.ConflictException;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A rolling deployment checks each batch before the next one starts, so a bad version stops at the
 * first batch that shows it; and it keeps the stage's pause between batches, which a person may end
 * early. Real processes on local targets, a settable clock, on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class RollingContractTest {

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
            strategy: STRATEGY
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            acceptance:
              - {name: healthy, type: shell, command: "test \\"$(cat out.txt)\\" = ok", timeout: 30s}
            failurePolicy: {action: rollback}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  RollingContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
  }

  private void configure(String strategy) {
    fixture.apply(CONFIG.replace("STRATEGY", strategy));
  }

  /** A version whose program writes {@code out} as its health on every target. */
  private void push(String version, String out) {
    String script = "echo " + out + " > out.txt\n";
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

  private String current(String target) throws Exception {
    return Files.readSymbolicLink(home.resolve("targets").resolve(target).resolve("shop.web/current")).getFileName()
        .toString();
  }

  private List<DeploymentEvent> waits(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT).toList();
  }

  @Test
  void a_rolling_deployment_checks_each_batch_before_the_next_starts_and_a_bad_version_reaches_only_the_first()
      throws Exception {
    configure("{type: rolling, batchSize: 1}");
    push("1.0.0", "ok");
    assertThat(run(request("1.0.0")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", "broken");

    Deployment d = run(request("2.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("t1", TargetRunState.ROLLED_BACK),
            org.assertj.core.groups.Tuple.tuple("t2", TargetRunState.PENDING),
            org.assertj.core.groups.Tuple.tuple("t3", TargetRunState.PENDING));
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("batch 1 of 3 failed on t1: acceptance check failed"));
    assertThat(Files.exists(home.resolve("targets/t2/shop.web/releases/2.0.0"))).as("t2 never got 2.0.0").isFalse();
    assertThat(Files.exists(home.resolve("targets/t3/shop.web/releases/2.0.0"))).as("t3 never got 2.0.0").isFalse();
    assertThat(current("t1")).isEqualTo("1.0.0");
  }

  @Test
  void a_good_rolling_deployment_runs_each_check_once_and_succeeds() {
    configure("{type: rolling, batchSize: 1}");
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.SUCCEEDED);
    for (TargetRun r : fixture.deployments.targetRuns(d.id())) {
      assertThat(fixture.deployments.stepRuns(r).stream().filter(s -> s.phase().equals(Engine.VERIFY)))
          .as("checks on %s", r.target()).singleElement()
          .satisfies(s -> assertThat(s.state()).isEqualTo(StepRunState.SUCCEEDED));
    }
  }

  @Test
  void the_pause_between_batches_is_a_recorded_wait_that_ends_when_its_time_has_passed() {
    configure("{type: rolling, batchSize: 1, pauseBetweenBatches: 30s}");
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::state)
        .containsExactly(TargetRunState.SUCCEEDED, TargetRunState.PENDING, TargetRunState.PENDING);
    assertThat(waits(d)).last().satisfies(w -> {
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.PAUSE);
      assertThat(w.message()).contains("the pause of 30s between batches 1 and 2 of 3")
          .contains("gantry resume " + d.id());
    });

    clock.advance(Duration.ofSeconds(10));
    assertThat(run(d).state()).as("10 s into a 30 s pause").isEqualTo(DeploymentState.EXECUTING);
    assertThat(fixture.deployments.targetRuns(d.id()).get(1).state()).isEqualTo(TargetRunState.PENDING);

    clock.advance(Duration.ofSeconds(21));
    run(d);
    assertThat(fixture.deployments.targetRuns(d.id()).get(1).state()).isEqualTo(TargetRunState.SUCCEEDED);
    assertThat(fixture.deployments.targetRuns(d.id()).get(2).state()).as("the second pause holds t3")
        .isEqualTo(TargetRunState.PENDING);

    clock.advance(Duration.ofSeconds(31));
    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(waits(d)).filteredOn(w -> w.waitingFor() == DeploymentEvent.WaitKind.PAUSE).hasSize(2);
  }

  @Test
  void a_person_may_end_a_pause_early_and_the_record_says_who_and_why() {
    configure("{type: rolling, batchSize: 2, pauseBetweenBatches: 1h}");
    fixture.users.create("pat", "Pat", EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    push("1.0.0", "ok");
    Deployment d = run(request("1.0.0"));
    assertThat(waits(d)).last().extracting(DeploymentEvent::waitingFor).isEqualTo(DeploymentEvent.WaitKind.PAUSE);

    fixture.decisions.resume(d.id(), "first batch looks healthy in the dashboards", "pat");

    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> {
      assertThat(e.actor()).isEqualTo("pat");
      assertThat(e.message()).isEqualTo("the pause between batches ended early by pat: first batch looks healthy in "
          + "the dashboards");
    });
  }

  @Test
  void only_a_deployment_in_a_pause_can_be_resumed_and_only_by_those_who_run_deployments() {
    configure("{type: rolling, batchSize: 1}");
    fixture.users.create("pat", "Pat", EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    fixture.users.create("sue", "Sue", EnumSet.of(Role.SERVICE_DESK), Actor.GANTRY);
    push("1.0.0", "ok");
    Deployment d = run(request("1.0.0"));

    assertThatThrownBy(() -> fixture.decisions.resume(d.id(), "go on", "pat")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("not in a pause between batches");
    assertThatThrownBy(() -> fixture.decisions.resume(d.id(), "go on", "sue"))
        .isInstanceOf(org.springframework.security.access.AccessDeniedException.class);
  }
}
