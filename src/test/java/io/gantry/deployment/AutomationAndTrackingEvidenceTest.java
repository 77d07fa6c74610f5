package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.Judgement;
import io.gantry.testing.CapabilityRecords;
import io.gantry.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** "Automated" and "tracked" are judged from the deployments' records, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class AutomationAndTrackingEvidenceTest {

  private static final AssessmentPeriod MARCH = new AssessmentPeriod(CapabilityRecords.at("2026-03-01 00:00"),
      CapabilityRecords.at("2026-04-01 00:00"));

  private final TestDatabase database;
  private CapabilityRecords records;
  private AutomationEvidence automation;
  private TrackingEvidence tracking;

  AutomationAndTrackingEvidenceTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    records = new CapabilityRecords(db.jdbc());
    automation = new AutomationEvidence(db.jdbc());
    tracking = new TrackingEvidence(db.jdbc());
  }

  @Test
  void steps_that_ran_without_a_person_make_deployment_automated() {
    long d = records.ended("SUCCEEDED", "2026-03-02 11:00", true);
    long run = records.targetRun(d, "web-1", true);
    for (String step : new String[] {"install", "configure", "restart", "health", "smoke", "install", "configure",
        "restart", "health"}) {
      records.stepRun(run, step, "shell", "2026-03-02 10:30");
    }
    records.stepRun(run, "sign-off", "manual", "2026-03-02 10:40");
    // a step before the period does not count
    records.stepRun(run, "migrate", "manual", "2026-02-27 10:00");

    Evidence e = automation.evidence(Criterion.AUTOMATED, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.reason()).startsWith("90.0 % of the step runs");
    assertThat(e.facts()).containsExactly("10 step runs started in the period", "1 were manual or approval steps",
        "0 other steps needed a person's decision", "9 ran without a person");
  }

  @Test
  void people_steps_and_decided_steps_are_not_automated() {
    long d = records.ended("SUCCEEDED", "2026-03-02 11:00", true);
    long run = records.targetRun(d, "web-1", true);
    records.stepRun(run, "install", "shell", "2026-03-02 10:30");
    records.stepRun(run, "migrate", "shell", "2026-03-02 10:31");
    records.decision(d, "web-1", "migrate", "RETRY");
    records.stepRun(run, "go-ahead", "approval", "2026-03-02 10:32");
    records.stepRun(run, "check", "manual", "2026-03-02 10:33");

    Evidence e = automation.evidence(Criterion.AUTOMATED, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(e.facts()).contains("1 other steps needed a person's decision", "1 ran without a person");
    assertThat(automation.evidence(Criterion.AUTOMATED, new AssessmentPeriod(CapabilityRecords.at("2026-05-01 00:00"),
        CapabilityRecords.at("2026-06-01 00:00"))).judgement()).isEqualTo(Judgement.NOT_MET);
  }

  @Test
  void deployments_with_their_history_and_finished_target_runs_are_tracked() {
    for (int i = 1; i <= 3; i++) {
      long d = records.ended("SUCCEEDED", "2026-03-0" + i + " 11:00", true);
      records.targetRun(d, "web-1", true);
    }

    Evidence e = tracking.evidence(Criterion.TRACKED, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.facts()).startsWith("3 deployments ended in the period",
        "3 have a complete record (history to their final state, every target run finished)");
  }

  @Test
  void a_deployment_with_an_open_target_run_or_no_final_history_is_not_tracked() {
    long open = records.ended("FAILED", "2026-03-02 11:00", true);
    records.targetRun(open, "web-1", false);
    records.endedWithoutHistory("SUCCEEDED", "2026-03-03 11:00");
    long complete = records.ended("SUCCEEDED", "2026-03-04 11:00", true);
    records.targetRun(complete, "web-1", true);

    Evidence e = tracking.evidence(Criterion.TRACKED, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(e.reason()).startsWith("33.3 % of the deployments");
  }
}
