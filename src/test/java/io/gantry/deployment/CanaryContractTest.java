package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
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
 * A canary deployment gives the version to a share of the targets first, pauses, then runs its
 * analysis (rounds of checks on the canary targets, driven by the clock) and either deploys to the
 * rest or rolls the canary back, leaving the rest untouched. Real processes on local targets whose
 * health the test flips, a settable clock, on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class CanaryContractTest {

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
      kind: Target
      metadata: {name: t4}
      spec: {environment: qa, kind: local, path: t4}
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
            strategy:
              type: canary
              BATCH
              canary:
                share: SHARE
                PAUSE
                analysis:
                  checks:
                    - {name: serving, type: shell, command: "test \\"$(cat out.txt)\\" = ok", timeout: 30s}
                  interval: 30s
                  duration: 2m
                  successRatio: 0.75
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            acceptance:
              - {name: healthy, type: shell, command: "test -s out.txt", timeout: 30s}
            failurePolicy: {action: rollback}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  CanaryContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
  }

  private void configure(String share, String pause, String batchSize) {
    fixture.apply(CONFIG.replace("SHARE", share).replace("PAUSE", pause == null ? "" : "pause: " + pause)
        .replace("BATCH", batchSize == null ? "" : "batchSize: " + batchSize));
  }

  /** A version whose program writes {@code ok} as its health on every target. */
  private void push(String version) {
    String script = "echo ok > out.txt\n";
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

  /** Moves the clock on and lets the engine look, until the deployment ends (at most an hour of clock). */
  private Deployment runToEnd(Deployment d) {
    Deployment now = run(d);
    for (int i = 0; i < 120 && !now.state().isFinal(); i++) {
      clock.advance(Duration.ofSeconds(30));
      now = run(d);
    }
    return now;
  }

  private void health(String target, String text) throws Exception {
    Files.writeString(folder(target).resolve("out.txt"), text + "\n");
  }

  private String current(String target) throws Exception {
    return Files.readSymbolicLink(folder(target).resolve("current")).getFileName()
        .toString();
  }

  private List<DeploymentEvent> waits(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT).toList();
  }

  private List<StepRun> analysisRuns(Deployment d) {
    return fixture.deployments.stepRuns(d.id()).stream().filter(s -> s.phase().startsWith("analysis-")).toList();
  }

  @Test
  void a_passing_analysis_after_the_pause_rolls_the_version_out_to_every_target() throws Exception {
    configure("25%", "1m", null);
    push("1.0.0");

    Deployment d = run(request("1.0.0"));

    assertThat(d.state()).isEqualTo(DeploymentState.EXECUTING);
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::batch,
        TargetRun::state).containsExactly(tuple("t1", 0, TargetRunState.SUCCEEDED),
        tuple("t2", 1, TargetRunState.PENDING), tuple("t3", 1, TargetRunState.PENDING),
        tuple("t4", 1, TargetRunState.PENDING));
    assertThat(waits(d)).last().satisfies(w -> {
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.CANARY_PAUSE);
      assertThat(w.message()).contains("the canary's pause of 1m on t1").contains("gantry resume " + d.id());
    });
    assertThat(Files.exists(home.resolve("targets/t2/shop.web/releases"))).as("t2 waits for the canary").isFalse();

    clock.advance(Duration.ofSeconds(59));
    run(d);
    assertThat(canaryAnalysis(d)).as("the pause is not over").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    run(d);
    assertThat(canaryAnalysis(d)).isPresent();
    assertThat(waits(d)).last().satisfies(w -> {
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.CANARY_ANALYSIS);
      assertThat(w.message()).contains("round 1 of 4 of the canary analysis");
    });
    assertThat(analysisRuns(d)).as("the first round is an interval after the analysis starts").isEmpty();

    for (int round = 1; round <= 3; round++) {
      clock.advance(Duration.ofSeconds(30));
      assertThat(run(d).state()).isEqualTo(DeploymentState.EXECUTING);
      assertThat(canaryRounds(d)).hasSize(round);
    }
    clock.advance(Duration.ofSeconds(30));
    Deployment done = run(d);

    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(canaryRounds(d)).extracting(AnalysisRecords.Round::round,
        AnalysisRecords.Round::passed, AnalysisRecords.Round::total)
        .containsExactly(tuple(1, 1, 1), tuple(2, 1, 1), tuple(3, 1, 1), tuple(4, 1, 1));
    assertThat(analysisRuns(d)).extracting(StepRun::phase).containsExactly("analysis-1", "analysis-2", "analysis-3",
        "analysis-4");
    assertThat(canaryAnalysis(d)).get().satisfies(a -> {
      assertThat(a.passed()).isTrue();
      assertThat(a.outcome()).isEqualTo("canary analysis passed: 4 of 4 check results passed in 4 of 4 round(s) "
          + "(1.00), at least 0.75 needed");
    });
    for (String t : List.of("t1", "t2", "t3", "t4")) {
      assertThat(current(t)).as(t).isEqualTo("1.0.0");
    }
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .startsWith("canary analysis round 2 of 4: 1 of 1 passed (serving on t1 passed); so far 2 of 2 = 1.00"));
    assertThat(waits(d)).filteredOn(w -> w.waitingFor() == DeploymentEvent.WaitKind.CANARY_ANALYSIS).hasSize(4);
  }

  @Test
  void the_deployment_view_shows_the_canary_targets_and_each_round_with_the_share_passed_so_far() throws Exception {
    configure("25%", null, null);
    push("1.0.0");
    Deployment d = run(request("1.0.0"));
    clock.advance(Duration.ofSeconds(30));
    run(d);
    health("t1", "bad");
    clock.advance(Duration.ofSeconds(30));
    run(d);

    var view = DeploymentController.CanaryView.of(fixture.deployments.targetRuns(d.id()),
        canaryAnalysis(d).orElseThrow(), canaryRounds(d),
        List.of());

    assertThat(view.targets()).containsExactly("t1");
    assertThat(view.passed()).isNull();
    assertThat(view.rounds()).extracting(DeploymentController.RoundView::round,
        DeploymentController.RoundView::passedSoFar, DeploymentController.RoundView::totalSoFar,
        DeploymentController.RoundView::ratio).containsExactly(tuple(1, 1, 1, 1.0), tuple(2, 1, 2, 0.5));
    assertThat(view.rounds().get(1).results()).startsWith("serving on t1 failed: command exited with 1");
  }

  @Test
  void a_failing_analysis_rolls_back_only_the_canary_and_the_other_targets_are_never_touched() throws Exception {
    configure("25%", null, null);
    push("1.0.0");
    assertThat(runToEnd(request("1.0.0")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0");

    Deployment d = run(request("2.0.0"));
    assertThat(current("t1")).isEqualTo("2.0.0");
    health("t1", "errors"); // the canary turns bad after it passed its acceptance check
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(done.outcome()).contains("canary analysis failed: 0 of 2 check results passed in 2 of 4 round(s)")
        .contains("(the threshold could no longer be reached)");
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::state)
        .containsExactly(tuple("t1", TargetRunState.ROLLED_BACK), tuple("t2", TargetRunState.PENDING),
            tuple("t3", TargetRunState.PENDING), tuple("t4", TargetRunState.PENDING));
    assertThat(current("t1")).isEqualTo("1.0.0");
    for (String t : List.of("t2", "t3", "t4")) {
      assertThat(current(t)).as(t).isEqualTo("1.0.0");
      assertThat(Files.exists(folder(t).resolve("releases/2.0.0"))).as(t).isFalse();
    }
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> {
      assertThat(e.to()).isEqualTo(DeploymentState.ROLLING_BACK);
      assertThat(e.message()).startsWith("canary analysis failed: 0 of 2 check results passed")
          .contains("rolling the canary targets (t1) back").endsWith("the other targets were not touched");
    }).anySatisfy(e -> assertThat(e.message()).contains("canary analysis round 1 of 4: 0 of 1 passed (serving on t1 "
        + "failed:"));
  }

  @Test
  void the_analysis_counts_every_result_so_one_bad_round_in_four_still_passes_a_ratio_of_three_quarters()
      throws Exception {
    configure("1", null, "2");
    push("1.0.0");
    Deployment d = run(request("1.0.0"));
    clock.advance(Duration.ofSeconds(30));
    run(d);
    health("t1", "flaky");
    clock.advance(Duration.ofSeconds(30));
    run(d);
    health("t1", "ok");

    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(canaryRounds(d)).extracting(AnalysisRecords.Round::passed)
        .containsExactly(1, 0, 1, 1);
    assertThat(fixture.deployments.targetRuns(d.id())).extracting(TargetRun::target, TargetRun::batch)
        .as("batchSize splits the rest").containsExactly(tuple("t1", 0), tuple("t2", 1), tuple("t3", 1),
            tuple("t4", 2));
  }

  @Test
  void a_person_may_end_the_canary_pause_early_and_the_analysis_starts_then() {
    configure("25%", "1h", null);
    fixture.users.create("pat", "Pat", EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    push("1.0.0");
    Deployment d = run(request("1.0.0"));
    assertThat(waits(d)).last().extracting(DeploymentEvent::waitingFor)
        .isEqualTo(DeploymentEvent.WaitKind.CANARY_PAUSE);

    fixture.decisions.resume(d.id(), "the canary's dashboards look fine", "pat");
    run(d);

    assertThat(canaryAnalysis(d)).get()
        .satisfies(a -> assertThat(a.startedAt()).isEqualTo(clock.instant().truncatedTo(
            java.time.temporal.ChronoUnit.MICROS)));
    assertThat(waits(d)).last().extracting(DeploymentEvent::waitingFor)
        .isEqualTo(DeploymentEvent.WaitKind.CANARY_ANALYSIS);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> {
      assertThat(e.actor()).isEqualTo("pat");
      assertThat(e.message()).contains("ended early by pat: the canary's dashboards look fine");
    });
    assertThat(runToEnd(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void an_engine_that_takes_over_mid_analysis_keeps_the_rounds_done_and_runs_only_the_rest() {
    configure("25%", null, null);
    push("1.0.0");
    Deployment d = run(request("1.0.0"));
    clock.advance(Duration.ofSeconds(30));
    run(d);
    clock.advance(Duration.ofSeconds(30));
    run(d);
    assertThat(canaryRounds(d)).hasSize(2);

    engine = fixture.engine(); // as a restarted server would have it, over the same database
    clock.advance(Duration.ofSeconds(10));
    assertThat(run(d).state()).as("round 3 is not due yet").isEqualTo(DeploymentState.EXECUTING);
    assertThat(canaryRounds(d)).hasSize(2);
    Deployment done = runToEnd(d);

    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(canaryRounds(d)).extracting(AnalysisRecords.Round::round)
        .containsExactly(1, 2, 3, 4);
    assertThat(analysisRuns(d)).extracting(StepRun::phase).as("no round ran twice")
        .containsExactly("analysis-1", "analysis-2", "analysis-3", "analysis-4");
  }

  @Test
  void a_check_interrupted_mid_round_runs_again_only_when_idempotent_and_the_round_is_recorded_once() {
    configure("25%", null, null);
    push("1.0.0");
    Deployment d = run(request("1.0.0"));
    TargetRun t1 = fixture.deployments.targetRuns(d.id()).getFirst();
    // an engine died while round 1's check ran: its start is recorded, its end and the round are not
    fixture.inTransaction(() -> fixture.deployments.startStep(t1, "analysis-1", 0, "serving", "shell", false, 1,
        clock.instant()));
    clock.advance(Duration.ofSeconds(30));

    run(d);

    assertThat(canaryRounds(d)).singleElement().satisfies(r -> {
      assertThat(r.passed()).isZero();
      assertThat(r.results()).contains("its outcome is unknown (interrupted, not idempotent)");
    });
    assertThat(analysisRuns(d)).extracting(StepRun::state).containsExactly(StepRunState.UNKNOWN);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(DeploymentEvent.Kind.INTERRUPTION);
      assertThat(e.message()).contains("check serving on t1 was running when the engine stopped");
    });
  }

  /** The folder of shop/web on a target. */
  private Path folder(String target) {
    return home.resolve("targets").resolve(target).resolve("shop.web");
  }

  private java.util.List<AnalysisRecords.Round> canaryRounds(Deployment d) {
    return fixture.deployments.analyses().rounds(d.id(), AnalysisRecords.CANARY);
  }

  private java.util.Optional<AnalysisRecords.Analysis> canaryAnalysis(Deployment d) {
    return fixture.deployments.analyses().analysis(d.id(), AnalysisRecords.CANARY);
  }
}
