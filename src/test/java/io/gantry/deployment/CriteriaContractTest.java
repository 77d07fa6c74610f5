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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/**
 * A stage's entry criteria of type manual and check hold a deployment before any target changes, and
 * its exit criteria hold its success after deployment verification: a person of the named role
 * confirms, a check's step runs on every target. Real processes on local targets, a settable clock,
 * on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class CriteriaContractTest {

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
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: qa
            environment: qa
            entryCriteria: ENTRY
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            exitCriteria: EXIT
            failurePolicy: {action: POLICY}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  CriteriaContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    fixture.users.create("quinn", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    fixture.users.create("sam", null, EnumSet.of(Role.SERVICE_OWNER), Actor.GANTRY);
  }

  private void configure(String entry, String exit, String policy) {
    fixture.apply(CONFIG.replace("ENTRY", entry).replace("EXIT", exit).replace("POLICY", policy));
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

  private List<DeploymentEvent> waits(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT).toList();
  }

  private Decision confirm(Deployment d, String criterion, String actor) {
    return fixture.decisions.confirm(d.id(), new DeploymentDecisions.Confirmation(criterion, "confirm", "checked"),
        actor);
  }

  private boolean touched(String target) {
    return Files.exists(folder(target).resolve("releases"));
  }

  private String current(String target) throws Exception {
    return Files.readSymbolicLink(folder(target).resolve("current")).getFileName()
        .toString();
  }

  @Test
  void a_manual_entry_criterion_waits_for_a_holder_of_its_role_before_any_target_changes_then_the_deployment_runs() {
    configure("[{type: manual, description: the release notes are published, role: deployment-practitioner}]", "[]",
        "stop");
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);
    assertThat(waits(d)).singleElement().satisfies(w -> {
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.ENTRY_CONFIRMATION);
      assertThat(w.message()).contains("a holder of the role deployment-practitioner to confirm entry criterion "
          + "entryCriteria[0] (the release notes are published)").contains("gantry confirm " + d.id());
    });
    assertThat(touched("t1") || touched("t2")).as("a target touched before the criterion is met").isFalse();
    assertThat(run(d).state()).as("a look without a confirmation").isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);
    assertThat(waits(d)).as("the wait is recorded once").hasSize(1);

    assertThatThrownBy(() -> confirm(d, null, "sam")).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("entryCriteria[0]").hasMessageContaining("deployment-practitioner")
        .hasMessageContaining("sam does not hold");
    assertThatThrownBy(() -> confirm(d, "exitCriteria[0]", "quinn")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("waits for entryCriteria[0], not exitCriteria[0]");
    assertThatThrownBy(() -> fixture.decisions.confirm(d.id(),
        new DeploymentDecisions.Confirmation(null, "confirm", " "), "quinn")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> fixture.decisions.confirm(d.id(),
        new DeploymentDecisions.Confirmation(null, "approve", "ok"), "quinn")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("use confirm or reject");
    assertThat(fixture.deployments.decisions(d.id(), Execution.ALL_TARGETS, "entryCriteria[0]"))
        .as("nothing recorded by a refused confirmation").isEmpty();

    Decision confirmed = confirm(d, "entryCriteria[0]", "quinn");
    assertThatThrownBy(() -> confirm(d, null, "quinn")).as("confirmed twice before the engine moved on")
        .isInstanceOf(ConflictException.class);

    assertThat(confirmed.kind()).isEqualTo(Decision.Kind.CONFIRM);
    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .isEqualTo("criterion entryCriteria[0] confirmed by quinn: checked"));
  }

  @Test
  void a_rejected_manual_entry_criterion_fails_the_deployment_and_no_target_is_touched() {
    configure("[{type: manual, description: the release notes are published, role: deployment-practitioner}]", "[]",
        "stop");
    push("1.0.0", "ok");
    Deployment d = run(request("1.0.0"));

    fixture.decisions.confirm(d.id(), new DeploymentDecisions.Confirmation(null, "reject", "notes missing"), "quinn");

    Deployment failed = run(d);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).isEqualTo("entry criterion entryCriteria[0] (the release notes are published) "
        + "rejected by quinn: notes missing");
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::state)
        .containsOnly(TargetRunState.PENDING);
    assertThat(touched("t1") || touched("t2")).isFalse();
  }

  @Test
  void a_manual_entry_criterion_nobody_confirms_within_its_timeout_fails_the_deployment_even_across_a_new_engine() {
    configure("[{type: manual, description: go-ahead from the team, role: deployment-practitioner, timeout: 10m}]",
        "[]", "stop");
    push("1.0.0", "ok");
    Deployment d = run(request("1.0.0"));
    assertThat(d.state()).isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);

    clock.advance(Duration.ofMinutes(6));
    engine = fixture.engine(); // as a restarted server would: the wait's start is read from the record
    assertThat(run(d).state()).isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);
    clock.advance(Duration.ofMinutes(4));
    Deployment failed = run(d);

    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).isEqualTo("entry criterion entryCriteria[0] (go-ahead from the team) was not "
        + "confirmed within 10m");
    assertThat(touched("t1") || touched("t2")).isFalse();
  }

  @Test
  void a_failing_entry_check_fails_the_deployment_with_the_step_output_and_no_target_is_touched() {
    configure("[{type: check, step: {name: capacity, type: shell, command: \"echo free: 2%; exit 3\", timeout: 30s}}]",
        "[]", "rollback");
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).startsWith("entry criterion entryCriteria[0] (check capacity) failed on ")
        .contains("t1: step capacity failed: command exited with 3 (expected 0)")
        .contains("t2: step capacity failed").contains("free: 2%");
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::state)
        .containsOnly(TargetRunState.PENDING);
    assertThat(touched("t1") || touched("t2")).isFalse();
    assertThat(fixture.deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.TRANSITION)
        .extracting(DeploymentEvent::to).doesNotContain(DeploymentState.EXECUTING, DeploymentState.ROLLING_BACK);
  }

  @Test
  void entry_criteria_are_met_in_order_a_check_then_a_person_and_each_check_runs_once_on_every_target() {
    configure("[{type: check, step: {name: ready, type: shell, command: \"echo ready\", timeout: 30s}}, "
        + "{type: manual, description: users told, role: deployment-practitioner}, "
        + "{type: check, step: {name: still-ready, type: shell, command: \"echo still\", timeout: 30s}}]",
        "[]", "stop");
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));
    assertThat(d.state()).isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);
    assertThat(run(d).state()).isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);
    confirm(d, "entryCriteria[1]", "quinn");

    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    for (TargetRun r : fixture.deployments.targetRuns(d.id())) {
      assertThat(fixture.deployments.stepRuns(r).stream().filter(s -> s.phase().equals(Engine.ENTRY)))
          .as("entry checks on %s", r.target()).extracting(StepRun::name, StepRun::state)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("ready", StepRunState.SUCCEEDED),
              org.assertj.core.groups.Tuple.tuple("still-ready", StepRunState.SUCCEEDED));
    }
  }

  @Test
  void a_manual_exit_criterion_holds_success_after_verification_as_a_wait_of_its_own_kind_until_confirmed()
      throws Exception {
    configure("[]", "[{type: manual, description: smoke tested by QA, role: deployment-practitioner}]", "rollback");
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.VERIFYING);
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(waits(d)).singleElement().satisfies(w -> {
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.EXIT_CONFIRMATION);
      assertThat(w.message()).contains("to confirm exit criterion exitCriteria[0] (smoke tested by QA)");
    });
    assertThatThrownBy(() -> confirm(d, null, "sam")).isInstanceOf(AccessDeniedException.class);

    confirm(d, null, "quinn");

    Deployment done = run(d);
    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(done.outcome()).isEqualTo("all targets succeeded and every exit criterion is met");
    assertThatThrownBy(() -> confirm(d, null, "quinn")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("SUCCEEDED and does not wait");
  }

  @Test
  void a_failed_exit_check_runs_the_rollback_policy_and_every_target_returns_to_its_previous_version()
      throws Exception {
    configure("[]", "[{type: check, step: {name: healthy, type: shell, command: \"grep -qx ok out.txt\", "
        + "timeout: 30s}}]", "rollback");
    push("1.0.0", "ok");
    assertThat(run(request("1.0.0")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", "broken");

    Deployment d = run(request("2.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .startsWith("exit criterion exitCriteria[0] (check healthy) failed on t1: step healthy failed")
        .contains("rolling back to the previous version"));
    assertThat(current("t1")).isEqualTo("1.0.0");
    assertThat(current("t2")).isEqualTo("1.0.0");
  }

  @Test
  void an_exit_check_then_a_manual_exit_criterion_the_check_and_acceptance_run_once_while_the_person_is_awaited() {
    fixture.apply(CONFIG.replace("ENTRY", "[]").replace("POLICY", "stop").replace("exitCriteria: EXIT",
        "acceptance: [{name: up, type: shell, command: \"test -s out.txt\", timeout: 30s}]\n"
        + "      exitCriteria:\n"
        + "        - {type: check, step: {name: healthy, type: shell, command: \"grep ok out.txt\", timeout: 30s}}\n"
        + "        - {type: manual, description: smoke tested, role: deployment-practitioner, timeout: 1h}"));
    push("1.0.0", "ok");

    Deployment d = run(request("1.0.0"));
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(10));
      engine = fixture.engine();
      assertThat(run(d).state()).isEqualTo(DeploymentState.VERIFYING);
    }
    confirm(d, "exitCriteria[1]", "quinn");

    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(waits(d)).extracting(DeploymentEvent::waitingFor)
        .containsExactly(DeploymentEvent.WaitKind.EXIT_CONFIRMATION);
    for (TargetRun r : fixture.deployments.targetRuns(d.id())) {
      assertThat(fixture.deployments.stepRuns(r)).filteredOn(s -> !s.phase().equals(Engine.EXECUTE))
          .extracting(StepRun::phase, StepRun::name)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(Engine.VERIFY, "up"),
              org.assertj.core.groups.Tuple.tuple(Engine.EXIT, "healthy"));
    }
  }

  @Test
  void a_manual_exit_criterion_nobody_confirms_in_time_runs_the_failure_policy() throws Exception {
    configure("[]", "[{type: manual, description: smoke tested, role: deployment-practitioner, timeout: 30m}]",
        "rollback");
    push("1.0.0", "ok");
    Deployment first = run(request("1.0.0"));
    confirm(first, null, "quinn");
    assertThat(run(first).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", "ok");

    Deployment d = run(request("2.0.0"));
    assertThat(current("t1")).isEqualTo("2.0.0");
    clock.advance(Duration.ofMinutes(31));

    assertThat(run(d).state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .startsWith("exit criterion exitCriteria[0] (smoke tested) was not confirmed within 30m; rolling back"));
    assertThat(current("t1")).isEqualTo("1.0.0");
  }

  @Test
  void an_undeploy_meets_the_manual_entry_criterion_but_not_the_exit_criteria() {
    fixture.apply(CONFIG.replace("ENTRY", "[{type: manual, description: users told, role: deployment-practitioner}]")
        .replace("exitCriteria: EXIT", "removeSteps: [{name: remove, type: artifact.remove, destination: releases}]\n"
            + "      exitCriteria: [{type: manual, description: smoke tested, role: deployment-practitioner}]")
        .replace("POLICY", "stop"));
    push("1.0.0", "ok");
    Deployment deployed = run(request("1.0.0"));
    confirm(deployed, "entryCriteria[0]", "quinn");
    run(deployed);
    confirm(deployed, "exitCriteria[0]", "quinn");
    assertThat(run(deployed).state()).isEqualTo(DeploymentState.SUCCEEDED);

    Deployment d = run(fixture.requests.request(new DeploymentRequests.Request("shop/web", null, "qa", null, "retired",
        Deployment.Kind.UNDEPLOY, null, null, null), "bob"));
    assertThat(d.state()).isEqualTo(DeploymentState.ENVIRONMENT_VERIFIED);
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/current"))).as("still installed").isTrue();
    confirm(d, "entryCriteria[0]", "quinn");

    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(waits(d)).extracting(DeploymentEvent::waitingFor)
        .containsExactly(DeploymentEvent.WaitKind.ENTRY_CONFIRMATION);
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/current"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  /** The folder of shop/web on a target. */
  private Path folder(String target) {
    return home.resolve("targets").resolve(target).resolve("shop.web");
  }
}
