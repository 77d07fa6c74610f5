package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The record of a deployment's analyses keeps each analysis apart by its scope (the canary, one target's idle
 * slot, the verification), while a second engine's second copy of a start, a round or a measurement of the same
 * analysis is refused by its key, and an ended analysis is not ended again. On both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class AnalysisRecordsContractTest {

  private static final Instant AT = Instant.parse("2026-12-05T10:00:00Z");

  private final TestDatabase database;
  private AnalysisRecords records;
  private long deployment;

  AnalysisRecordsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    Deployments deployments = new Deployments(database.create().jdbc());
    records = deployments.analyses();
    deployment = deployments.create(new Deployments.NewDeployment(new ComponentRef("shop", "web"), "1.0", "qa",
        "std", 1, "qa", "alice", "test"), AT).id();
  }

  private AnalysisRecords.Round round(String scope, int n) {
    return new AnalysisRecords.Round(deployment, scope, n, AT.plusSeconds(30L * n), 1, 1, "metric error-rate passed");
  }

  private AnalysisRecords.Measurement measurement(String scope, int round) {
    return new AnalysisRecords.Measurement(deployment, scope, round, 0, "error-rate", "sum(errors)", "0", AT, AT,
        "PASSED", true, "0 is within max 0.05");
  }

  @Test
  void each_targets_idle_slot_and_the_verification_keep_rounds_and_measurements_of_their_own() {
    for (String scope : new String[] {AnalysisRecords.idleSlot("t1"), AnalysisRecords.idleSlot("t2"),
        AnalysisRecords.VERIFICATION}) {
      records.start(deployment, scope, AT);
      records.addRound(round(scope, 1));
      records.addMeasurement(measurement(scope, 1));
    }
    records.addRound(round(AnalysisRecords.idleSlot("t1"), 2));

    assertThat(records.analyses(deployment)).extracting(AnalysisRecords.Analysis::scope)
        .containsExactlyInAnyOrder("switch:t1", "switch:t2", "verification");
    assertThat(records.rounds(deployment, AnalysisRecords.idleSlot("t1"))).extracting(AnalysisRecords.Round::round)
        .containsExactly(1, 2);
    assertThat(records.rounds(deployment, AnalysisRecords.idleSlot("t2"))).hasSize(1);
    assertThat(records.measurements(deployment, AnalysisRecords.VERIFICATION)).singleElement()
        .extracting(AnalysisRecords.Measurement::scope).isEqualTo("verification");
    assertThat(records.analysis(deployment, AnalysisRecords.CANARY)).isEmpty();
    assertThat(AnalysisRecords.targetOf("switch:t1.example")).isEqualTo("t1.example");
    assertThat(AnalysisRecords.targetOf(AnalysisRecords.VERIFICATION)).isNull();
  }

  @Test
  void a_second_copy_of_a_start_a_round_or_a_measurement_of_one_analysis_is_refused_by_its_key() {
    String scope = AnalysisRecords.idleSlot("t1");
    records.start(deployment, scope, AT);
    records.addRound(round(scope, 1));
    records.addMeasurement(measurement(scope, 1));

    assertThatThrownBy(() -> records.start(deployment, scope, AT.plusSeconds(1)))
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThatThrownBy(() -> records.addRound(round(scope, 1))).isInstanceOf(DataIntegrityViolationException.class);
    assertThatThrownBy(() -> records.addMeasurement(measurement(scope, 1)))
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThat(records.rounds(deployment, scope)).hasSize(1);
    assertThat(records.analysis(deployment, scope)).get().extracting(AnalysisRecords.Analysis::startedAt)
        .isEqualTo(AT);
  }

  @Test
  void an_analysis_ends_once() {
    records.start(deployment, AnalysisRecords.VERIFICATION, AT);
    records.end(deployment, AnalysisRecords.VERIFICATION, false, "verification analysis failed", AT.plusSeconds(60));

    assertThatThrownBy(() -> records.end(deployment, AnalysisRecords.VERIFICATION, true, "passed", AT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has already ended");
    assertThat(records.analysis(deployment, AnalysisRecords.VERIFICATION)).get().satisfies(a -> {
      assertThat(a.passed()).isFalse();
      assertThat(a.outcome()).isEqualTo("verification analysis failed");
    });
  }
}
