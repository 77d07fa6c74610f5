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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The controls a model puts on its steps (the targets they are for, retries and their delay), on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class StepControlsContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Deployments deployments;

  @TempDir
  Path home;

  StepControlsContractTest(TestDatabase database) {
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
      metadata: {name: web1}
      spec: {environment: qa, kind: local, path: web1, tags: [web]}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: web2}
      spec: {environment: qa, kind: local, path: web2, tags: [web, eu]}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: db1}
      spec: {environment: qa, kind: local, path: db1, tags: [db, eu]}
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
      STEPS
            failurePolicy: POLICY
      """;

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    deployments = fixture.deployments;
  }

  private void configure(String policy, String... steps) {
    StringBuilder lines = new StringBuilder();
    for (String step : steps) {
      lines.append("          - ").append(step).append('\n');
    }
    fixture.apply(CONFIG.replace("STEPS\n", lines.toString()).replace("POLICY", policy));
    push("1.0.0");
  }

  private void push(String version) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("echo ok\n".getBytes(
            StandardCharsets.UTF_8)))), List.of()), "alice");
  }

  private Deployment request() {
    return fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null), "bob");
  }

  private List<StepRun> stepRuns(Deployment d, String target) {
    TargetRun run = deployments.targetRuns(d.id()).stream().filter(r -> r.target().equals(target)).findFirst()
        .orElseThrow();
    return deployments.stepRuns(run);
  }

  private Path target(String name) {
    return home.resolve("targets").resolve(name).resolve("shop.web");
  }

  @Test
  void a_step_with_targets_web_runs_only_on_targets_tagged_web_and_the_others_record_it_skipped() throws Exception {
    configure("{action: stop}",
        "{name: install, type: artifact.install, destination: releases}",
        "{name: web-only, type: shell, command: 'echo web > role.txt', targets: [web]}",
        "{name: eu-web, type: shell, command: 'echo eu > region.txt', targets: [web, eu]}");

    Deployment d = request();
    fixture.engine().runDue();

    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(target("web1").resolve("role.txt")).exists();
    assertThat(target("web2").resolve("role.txt")).exists();
    assertThat(target("db1").resolve("role.txt")).doesNotExist();
    assertThat(target("web2").resolve("region.txt")).as("carries both tags").exists();
    assertThat(target("web1").resolve("region.txt")).as("carries web but not eu").doesNotExist();
    assertThat(target("db1").resolve("region.txt")).as("carries eu but not web").doesNotExist();
    assertThat(stepRuns(d, "db1")).extracting(StepRun::name, StepRun::state).containsExactly(
        org.assertj.core.groups.Tuple.tuple("install", StepRunState.SUCCEEDED),
        org.assertj.core.groups.Tuple.tuple("web-only", StepRunState.SKIPPED),
        org.assertj.core.groups.Tuple.tuple("eu-web", StepRunState.SKIPPED));
    assertThat(stepRuns(d, "web1")).filteredOn(s -> s.name().equals("eu-web")).singleElement()
        .satisfies(s -> assertThat(s.outcome()).isEqualTo("web1 does not carry the tag eu that the step is for"));
    assertThat(deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .isEqualTo("execute step web-only (shell) skipped: db1 does not carry the tag web that the step is for"));
    assertThat(deployments.targetRuns(d.id())).extracting(TargetRun::state).containsOnly(TargetRunState.SUCCEEDED);
    assertThat(Files.readString(target("web1").resolve("role.txt"))).isEqualTo("web\n");
  }

  @Test
  void a_failed_step_is_retried_after_its_retry_delay_and_succeeds_on_the_second_attempt() {
    configure("{action: stop, retries: 2, retryDelay: 30s}",
        "{name: flaky, type: shell, command: 'if [ -f tried ]; then echo second; else touch tried; exit 1; fi', "
            + "targets: [db]}");
    Deployment d = request();

    fixture.engine().runDue();

    List<StepRun> first = stepRuns(d, "db1");
    assertThat(first).extracting(StepRun::attempt, StepRun::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, StepRunState.FAILED));
    java.time.Instant due = first.getFirst().finishedAt().plusSeconds(30);
    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.WAIT)
        .singleElement().satisfies(e -> {
          assertThat(e.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.RETRY);
          assertThat(e.message()).isEqualTo("waiting for retry 1 of 2 of step flaky on db1 at " + due);
        });

    clock.advance(java.time.Duration.ofSeconds(10));
    fixture.engine().runDue();
    assertThat(stepRuns(d, "db1")).as("not tried again before its delay").hasSize(1);

    clock.advance(java.time.Duration.ofSeconds(20));
    fixture.engine().runDue(); // a new engine: the next attempt is read from the recorded runs

    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(stepRuns(d, "db1")).extracting(StepRun::attempt, StepRun::state, StepRun::startedAt).containsExactly(
        org.assertj.core.groups.Tuple.tuple(1, StepRunState.FAILED, first.getFirst().startedAt()),
        org.assertj.core.groups.Tuple.tuple(2, StepRunState.SUCCEEDED, due));
    assertThat(deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.WAIT).hasSize(1);
  }

  @Test
  void an_approval_nobody_decides_within_its_timeout_fails_the_deployment_and_the_failure_policy_runs() {
    configure("{action: ask}",
        "{name: go-ahead, type: approval, role: deployment-manager, timeout: 2h, targets: [db]}");
    Deployment d = request();
    fixture.engine().runDue();
    assertThat(stepRuns(d, "db1")).extracting(StepRun::state).containsExactly(StepRunState.WAITING);

    clock.advance(java.time.Duration.ofMinutes(119));
    fixture.engine().runDue();
    assertThat(stepRuns(d, "db1")).as("a minute before it expires").extracting(StepRun::state)
        .containsExactly(StepRunState.WAITING);

    clock.advance(java.time.Duration.ofMinutes(1));
    fixture.engine().runDue();

    assertThat(stepRuns(d, "db1")).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo(StepRunState.FAILED);
      assertThat(s.outcome()).isEqualTo("nobody decided within 2h");
    });
    assertThat(deployments.targetRuns(d.id())).filteredOn(r -> r.target().equals("db1")).singleElement()
        .satisfies(r -> assertThat(r.state()).isEqualTo(TargetRunState.FAILED));
    assertThat(deployments.events(d.id(), 0)).as("the ask policy now waits for a person to decide")
        .filteredOn(e -> e.waitingFor() == DeploymentEvent.WaitKind.DECISION).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("step go-ahead failed: nobody decided within 2h"));
  }

  @Test
  void a_manual_step_nobody_signs_off_within_its_timeout_fails_and_the_stop_policy_ends_the_deployment() {
    configure("{action: stop}",
        "{name: check-rack, type: manual, instructions: Check the rack, timeout: 30m, targets: [db]}");
    Deployment d = request();
    fixture.engine().runDue();

    clock.advance(java.time.Duration.ofMinutes(30));
    fixture.engine().runDue();

    Deployment ended = deployments.get(d.id());
    assertThat(ended.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(ended.outcome()).contains("step check-rack failed: nobody signed off within 30m");
  }
}
