package io.gantry.metrics;

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

/** "Successfully deployed" is judged by the success rate of the period's ended deployments, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DeploymentSuccessEvidenceTest {

  private static final AssessmentPeriod MARCH = new AssessmentPeriod(CapabilityRecords.at("2026-03-01 00:00"),
      CapabilityRecords.at("2026-04-01 00:00"));

  private final TestDatabase database;
  private CapabilityRecords records;
  private DeploymentSuccessEvidence source;

  DeploymentSuccessEvidenceTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    records = new CapabilityRecords(db.jdbc());
    source = new DeploymentSuccessEvidence(db.jdbc());
  }

  @Test
  void nine_of_ten_succeeded_in_the_period_is_met_and_cancelled_or_outside_ones_do_not_count() {
    for (int i = 0; i < 9; i++) {
      records.ended("SUCCEEDED", "2026-03-0" + (i + 1) + " 10:00", true);
    }
    records.ended("ROLLED_BACK", "2026-03-15 10:00", true);
    records.ended("CANCELLED", "2026-03-16 10:00", false);
    records.ended("FAILED", "2026-04-01 00:00", true);

    Evidence e = source.evidence(Criterion.DEPLOYED_SUCCESSFULLY, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.reason()).startsWith("90.0 % of the deployments");
    assertThat(e.facts()).containsExactly("10 deployments ended in the period (cancelled ones not counted)",
        "9 succeeded, 0 failed, 1 were rolled back");
  }

  @Test
  void one_of_three_succeeded_is_not_met_and_so_is_a_period_without_deployments() {
    records.ended("SUCCEEDED", "2026-03-02 10:00", true);
    records.ended("FAILED", "2026-03-03 10:00", true);
    records.ended("FAILED", "2026-03-04 10:00", true);

    assertThat(source.evidence(Criterion.DEPLOYED_SUCCESSFULLY, MARCH)).extracting(Evidence::judgement,
        Evidence::reason).containsExactly(Judgement.NOT_MET, "33.3 % of the deployments that ended in the period "
        + "succeeded (met at 90 % or more, partly met at 50 % or more)");
    assertThat(source.evidence(Criterion.DEPLOYED_SUCCESSFULLY, new AssessmentPeriod(
        CapabilityRecords.at("2026-05-01 00:00"), CapabilityRecords.at("2026-06-01 00:00"))).judgement())
        .isEqualTo(Judgement.NOT_MET);
  }
}
