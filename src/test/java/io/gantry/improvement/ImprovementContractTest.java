package io.gantry.improvement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.Judgement;
import io.gantry.capability.ReportSection;
import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.StepRun;
import io.gantry.deployment.StepRunState;
import io.gantry.deployment.TargetRun;
import io.gantry.identity.Scope;
import io.gantry.improvement.Initiative.Direction;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.shared.ConflictException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Reviews with their follow-ups, failure analysis over hand-built failures, and the initiative register, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ImprovementContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-03-10T12:00:00Z");
  private TestDatabase.Instance db;
  private Deployments deployments;
  private Reviews reviews;
  private FailureAnalysis analysis;
  private Initiatives initiatives;

  ImprovementContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    deployments = new Deployments(db.jdbc());
    reviews = new Reviews(db.jdbc(), clock);
    analysis = new FailureAnalysis(deployments);
    initiatives = new Initiatives(db.jdbc());
  }

  /** A deployment of shop/web to {@code environment} that ends at {@code end}, its step on {@code target} failing with {@code output}. */
  private Deployment failed(String environment, int modelVersion, String target, String step, String output,
      String end, boolean rolledBack) {
    Instant at = Instant.parse(end);
    Deployment d = deployments.create(new Deployments.NewDeployment(new ComponentRef("shop", "web"), "1.0",
        environment, "std", modelVersion, "main", "alice", "test"), at.minusSeconds(600));
    for (DeploymentState s : List.of(DeploymentState.PLANNED, DeploymentState.COMPONENTS_VERIFIED,
        DeploymentState.ENVIRONMENT_VERIFIED, DeploymentState.EXECUTING)) {
      d = deployments.transition(d, s, "gantry", "", at.minusSeconds(300));
    }
    deployments.addTargetRun(d.id(), target, 1, null);
    TargetRun run = deployments.targetRuns(d.id()).getFirst();
    StepRun fine = deployments.startStep(run, "execute", 0, "fetch", "shell", true, 1, at.minusSeconds(200));
    deployments.finishStep(fine, run, StepRunState.SUCCEEDED, "fetched", "exit code 0", at.minusSeconds(190));
    StepRun failing = deployments.startStep(run, "execute", 1, step, "shell", true, 1, at.minusSeconds(100));
    deployments.finishStep(failing, run, StepRunState.FAILED, output, "exit code 1", at.minusSeconds(90));
    if (rolledBack) {
      StepRun undo = deployments.startStep(run, "rollback", 0, "undo", "shell", true, 1, at.minusSeconds(50));
      deployments.finishStep(undo, run, StepRunState.FAILED, "error: undo failed too", "exit code 1",
          at.minusSeconds(40));
      d = deployments.transition(d, DeploymentState.ROLLING_BACK, "gantry", "rolling back", at.minusSeconds(60));
      return deployments.transition(d, DeploymentState.ROLLED_BACK, "gantry", "rolled back", at);
    }
    return deployments.transition(d, DeploymentState.FAILED, "gantry", "step " + step + " failed", at);
  }

  private Deployment succeeded(String end) {
    Instant at = Instant.parse(end);
    Deployment d = deployments.create(new Deployments.NewDeployment(new ComponentRef("shop", "web"), "1.0",
        "production", "std", 1, "main", "alice", "test"), at.minusSeconds(600));
    for (DeploymentState s : List.of(DeploymentState.PLANNED, DeploymentState.COMPONENTS_VERIFIED,
        DeploymentState.ENVIRONMENT_VERIFIED, DeploymentState.EXECUTING, DeploymentState.VERIFYING,
        DeploymentState.SUCCEEDED)) {
      d = deployments.transition(d, s, "gantry", "", at);
    }
    return d;
  }

  @Test
  void a_review_keeps_its_follow_ups_and_an_open_one_past_its_due_day_is_overdue() {
    Deployment d = succeeded("2026-03-01T10:00:00Z");
    Review review = reviews.write(d.id(), "shop", "production", "the switch took 20 minutes", "slow health check",
        List.of(new Reviews.NewFollowUp("shorten the health check", "bob", LocalDate.parse("2026-03-09")),
            new Reviews.NewFollowUp("document the switch", "carol", LocalDate.parse("2026-03-10"))), "alice");

    assertThat(review.followUps()).extracting(Review.FollowUp::owner).containsExactly("bob", "carol");
    // on 10 March: bob's was due yesterday (overdue), carol's is due today (not yet)
    assertThat(review.followUps()).extracting(Review.FollowUp::overdue).containsExactly(true, false);
    assertThat(reviews.followUps(null, true)).extracting(l -> l.followUp().action())
        .containsExactly("shorten the health check");
    assertThat(reviews.followUps("carol", false)).extracting(l -> l.followUp().action())
        .containsExactly("document the switch");

    Review.FollowUp done = reviews.done(review.followUps().getFirst(), "bob");
    assertThat(done.state()).isEqualTo(Review.State.DONE);
    assertThat(done.overdue()).isFalse();
    assertThat(done.doneBy()).isEqualTo("bob");
    assertThat(reviews.followUps(null, true)).isEmpty();
    assertThatThrownBy(() -> reviews.done(done, "bob")).isInstanceOf(ConflictException.class);

    clock.advance(Duration.ofDays(1));
    assertThat(reviews.followUps(null, true)).extracting(l -> l.followUp().owner()).containsExactly("carol");

    reviews.addFollowUp(d.id(), new Reviews.NewFollowUp("add a dashboard", "bob", LocalDate.parse("2026-04-01")),
        "alice");
    assertThat(reviews.find(d.id()).orElseThrow().followUps()).hasSize(3);
    assertThatThrownBy(() -> reviews.write(d.id(), "shop", "production", "again", "again", List.of(), "alice"))
        .isInstanceOf(ConflictException.class);
    assertThat(db.count("deployment_reviews")).isEqualTo(1);
  }

  @Test
  void failures_are_grouped_by_cause_most_frequent_first_with_their_count_per_week() {
    // week of 2 March: two refused connections (one rolled back), one missing file; week of 9 March: one refused
    failed("production", 1, "web-1", "install", "npm ERR! connect ECONNREFUSED 10.0.0.4:8080", "2026-03-02T10:00:00Z",
        false);
    failed("production", 2, "web-2", "install", "npm ERR! connect ECONNREFUSED 10.0.0.9:8443", "2026-03-04T10:00:00Z",
        true);
    failed("staging", 2, "web-1", "migrate", "cp: cannot stat '/tmp/x-81/a.sql': No such file or directory",
        "2026-03-05T10:00:00Z", false);
    failed("production", 2, "web-3", "install", "npm ERR! connect ECONNREFUSED 10.0.0.7:8080", "2026-03-09T10:00:00Z",
        false);
    succeeded("2026-03-03T10:00:00Z");
    failed("production", 2, "web-1", "install", "npm ERR! connect ECONNREFUSED 10.0.0.7:8080", "2026-04-20T10:00:00Z",
        false); // outside the period

    Instant from = Instant.parse("2026-03-02T00:00:00Z");
    Instant to = Instant.parse("2026-03-30T00:00:00Z");
    FailureAnalysis.Analysis bySignature = analysis.analyse(from, to, FailureAnalysis.By.SIGNATURE, null);
    assertThat(bySignature.failures()).isEqualTo(4);
    assertThat(bySignature.bucket()).isEqualTo("week");
    assertThat(bySignature.buckets()).containsExactly(Instant.parse("2026-03-02T00:00:00Z"),
        Instant.parse("2026-03-09T00:00:00Z"), Instant.parse("2026-03-16T00:00:00Z"),
        Instant.parse("2026-03-23T00:00:00Z"));
    assertThat(bySignature.groups()).extracting(FailureAnalysis.Group::key).containsExactly(
        "npm ERR! connect ECONNREFUSED <n>:<n>", "cp: cannot stat '<tmp>': No such file or directory");
    FailureAnalysis.Group refused = bySignature.groups().getFirst();
    assertThat(refused.count()).isEqualTo(3);
    assertThat(refused.rolledBack()).isEqualTo(1);
    assertThat(refused.trend()).containsExactly(2L, 1L, 0L, 0L);
    assertThat(refused.lastSeen()).isEqualTo(Instant.parse("2026-03-09T10:00:00Z"));
    assertThat(bySignature.groups().get(1).trend()).containsExactly(1L, 0L, 0L, 0L);

    // the failing step is the first that failed, not the rollback's
    assertThat(analysis.analyse(from, to, FailureAnalysis.By.STEP, null).groups())
        .extracting(g -> g.key() + "=" + g.count()).containsExactly("std/install=3", "std/migrate=1");
    assertThat(analysis.analyse(from, to, FailureAnalysis.By.TARGET, null).groups())
        .extracting(g -> g.key() + "=" + g.count()).containsExactly("web-1=2", "web-3=1", "web-2=1");
    assertThat(analysis.analyse(from, to, FailureAnalysis.By.MODEL, null).groups())
        .extracting(g -> g.key() + "=" + g.count()).containsExactly("std v2=3", "std v1=1");
    assertThat(analysis.analyse(from, to, FailureAnalysis.By.STAGE, null).groups())
        .extracting(g -> g.key() + "=" + g.count()).containsExactly("std/main=4");

    // a reader of staging only sees the staging failure
    assertThat(analysis.analyse(from, to, FailureAnalysis.By.SIGNATURE, List.of(new Scope(null, "staging")))
        .groups()).extracting(FailureAnalysis.Group::key)
        .containsExactly("cp: cannot stat '<tmp>': No such file or directory");

    // a short period is counted per day
    FailureAnalysis.Analysis week = analysis.analyse(from, Instant.parse("2026-03-06T00:00:00Z"),
        FailureAnalysis.By.SIGNATURE, null);
    assertThat(week.bucket()).isEqualTo("day");
    assertThat(week.groups().getFirst().trend()).containsExactly(1L, 0L, 1L, 0L);
  }

  @Test
  void an_initiative_moves_only_along_the_allowed_changes_and_keeps_its_history() {
    Initiative i = initiatives.register(new Initiatives.NewInitiative("faster health checks", "poll every 2 s",
        "bob", "fewer refused connections", Kpi.FAILURE_COUNT, Direction.DOWN, 30), "alice", clock.instant());
    assertThat(i.state()).isEqualTo(InitiativeState.PROPOSED);

    assertThatThrownBy(() -> initiatives.transition(i, InitiativeState.IMPLEMENTED, "alice", "skip", clock.instant()))
        .isInstanceOf(ConflictException.class).hasMessageContaining("proposed and cannot become implemented");
    Initiative approved = initiatives.transition(i, InitiativeState.APPROVED, "alice", "agreed", clock.instant());
    // the initiative as read before the change is stale
    assertThatThrownBy(() -> initiatives.transition(i, InitiativeState.APPROVED, "alice", "again", clock.instant()))
        .isInstanceOf(ConflictException.class);
    Initiative abandoned = initiatives.transition(approved, InitiativeState.ABANDONED, "alice", "no time",
        clock.instant());
    assertThatThrownBy(() -> initiatives.transition(abandoned, InitiativeState.IN_PROGRESS, "alice", "back",
        clock.instant())).isInstanceOf(ConflictException.class).hasMessageContaining("it has ended");
    assertThat(initiatives.get(i.id()).history()).extracting(t -> t.from() + ">" + t.to() + " " + t.reason())
        .containsExactly("null>PROPOSED registered", "PROPOSED>APPROVED agreed", "APPROVED>ABANDONED no time");
  }

  private static final String MODEL = """
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: main
            environment: production
            steps:
              - {name: install, type: shell, command: "%s"}
      """;

  @Test
  void the_approach_and_the_models_are_judged_improved_from_reviews_initiatives_and_failures() {
    Models models = new Models(db.jdbc(), clock);
    ImprovementEvidence evidence = new ImprovementEvidence(reviews, initiatives, new ModelsInForce(models), analysis,
        models);
    AssessmentPeriod march = new AssessmentPeriod(Instant.parse("2026-03-01T00:00:00Z"),
        Instant.parse("2026-04-01T00:00:00Z"));
    clock.set(Instant.parse("2026-02-01T00:00:00Z"));
    models.create(ModelDocuments.parse("std", MODEL.formatted("install.sh")), "alice", "first");

    assertThat(evidence.evidence(Criterion.APPROACH_IMPROVED, march).judgement()).isEqualTo(Judgement.NOT_MET);
    Evidence unchanged = evidence.evidence(Criterion.MODELS_IMPROVED, march);
    assertThat(unchanged.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(unchanged.reason()).startsWith("no model was changed in the period");

    // std v2 comes into force on 5 March, after a failure on 2 March that no initiative addresses
    Deployment failure = failed("production", 1, "web-1", "install", "npm ERR! connect ECONNREFUSED 10.0.0.4:8080",
        "2026-03-02T10:00:00Z", false);
    clock.set(Instant.parse("2026-03-05T00:00:00Z"));
    models.update(ModelDocuments.parse("std", MODEL.formatted("install.sh --wait")), models.get("std").rowVersion(),
        "alice", "wait for the service");
    Evidence changedAlone = evidence.evidence(Criterion.MODELS_IMPROVED, march);
    assertThat(changedAlone.judgement()).isEqualTo(Judgement.PARTLY_MET);
    assertThat(changedAlone.reason()).isEqualTo("1 model versions came into force, 0 implementing an initiative; 0 "
        + "of 1 failure causes addressed: no new version implements an improvement initiative");

    clock.set(Instant.parse("2026-03-10T12:00:00Z"));
    reviews.write(failure.id(), "shop", "production", "refused", "the service was not up yet", List.of(), "alice");
    Evidence reviewedOnly = evidence.evidence(Criterion.APPROACH_IMPROVED, march);
    assertThat(reviewedOnly.judgement()).isEqualTo(Judgement.PARTLY_MET);
    assertThat(reviewedOnly.reason()).contains("1 reviews and 0 initiatives with a measured effect");

    Initiative i = initiatives.register(new Initiatives.NewInitiative("wait for the service", "install.sh --wait",
        "bob", "no refused connections", Kpi.FAILURE_COUNT, Direction.DOWN, 10), "alice", clock.instant());
    i = initiatives.link(i, Initiative.LinkKind.FAILURE, "npm ERR! connect ECONNREFUSED <n>:<n>", "alice",
        clock.instant());
    for (InitiativeState to : List.of(InitiativeState.APPROVED, InitiativeState.IN_PROGRESS,
        InitiativeState.IMPLEMENTED)) {
      i = initiatives.transition(i, to, "alice", "on", clock.instant());
    }
    i = initiatives.implementedBy(i, "std", 2, clock.instant());
    Evidence improved = evidence.evidence(Criterion.MODELS_IMPROVED, march);
    assertThat(improved.judgement()).isEqualTo(Judgement.MET);
    assertThat(improved.facts()).contains("1 model versions came into force (after a model's first): std v2",
        "1 of them implement an improvement initiative", "1 distinct failure causes, 1 addressed by an implemented "
        + "initiative");

    clock.set(Instant.parse("2026-03-20T00:00:00Z"));
    initiatives.transition(i, InitiativeState.EVALUATED, "alice", "measured", clock.instant());
    initiatives.effect(i.id(), new Initiative.Effect(Kpi.FAILURE_COUNT, "std", 2,
        Instant.parse("2026-03-05T00:00:00Z"), Instant.parse("2026-02-23T00:00:00Z"),
        Instant.parse("2026-03-15T00:00:00Z"), 2.0, 0.0, 3, 4, "down", null, clock.instant()));
    Evidence approach = evidence.evidence(Criterion.APPROACH_IMPROVED, march);
    assertThat(approach.judgement()).isEqualTo(Judgement.MET);
    assertThat(approach.facts()).contains("1 initiatives evaluated with a measured effect, 1 of them moved their "
        + "KPI as expected");
    // outside the period nothing was done
    AssessmentPeriod january = new AssessmentPeriod(Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(evidence.evidence(Criterion.APPROACH_IMPROVED, january).judgement()).isEqualTo(Judgement.NOT_MET);

    List<ReportSection.Table> failureTables = new FailureReportSection(analysis).tables(march);
    assertThat(failureTables.getFirst().rows()).containsExactly(List.of("npm ERR! connect ECONNREFUSED <n>:<n>", "1",
        "0", "2026-03-02", "#" + failure.id()));
    // weeks from the Monday before 1 March: the failure of Monday 2 March is in the second
    assertThat(failureTables.get(1).rows().subList(0, 2)).containsExactly(List.of("2026-02-23", "0", "0"),
        List.of("2026-03-02", "1", "1"));
    assertThat(new FailureReportSection(analysis).tables(january)).isEmpty();
    List<ReportSection.Table> register = new InitiativeReportSection(initiatives).tables(march);
    assertThat(register.getFirst().rows()).containsExactly(List.of("#" + i.id(), "wait for the service", "bob",
        "evaluated", "failure-count down: no refused connections", "std v2", "1"));
    assertThat(register.get(1).rows()).containsExactly(List.of("#" + i.id(), "failure-count", "std v2", "2026-03-05",
        "2.0 (3)", "0.0 (4)", "down", "yes"));
  }
}
