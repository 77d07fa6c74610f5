package io.gantry.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.Judgement;
import io.gantry.testing.CapabilityRecords;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** "Required workflows" are judged from the stages the models in use declare, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class WorkflowEvidenceTest {

  static final String GOVERNED = """
      spec:
        stages:
          - name: test
            environment: test
            authorization: automatic
            acceptance:
              - {name: smoke, type: shell, command: ./smoke.sh}
            failurePolicy: {action: rollback}
          - name: production
            environment: production
            authorization: change
            approvers: {roles: [deployment-manager, service-owner], count: 2}
            entryCriteria:
              - {type: stage-succeeded, stage: test}
            failurePolicy: {action: stop, retries: 1}
      """;
  static final String BARE = """
      spec:
        stages:
          - name: production
            environment: production
            steps:
              - {name: copy, type: shell, command: ./copy.sh}
      """;
  private static final AssessmentPeriod MARCH = new AssessmentPeriod(CapabilityRecords.at("2026-03-01 00:00"),
      CapabilityRecords.at("2026-04-01 00:00"));

  private final TestDatabase database;
  private CapabilityRecords records;
  private WorkflowEvidence source;

  WorkflowEvidenceTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    records = new CapabilityRecords(db.jdbc());
    source = new WorkflowEvidence(new Models(db.jdbc(), MutableClock.at("2026-04-10T00:00:00Z")));
  }

  @Test
  void models_whose_stages_declare_authorization_criteria_and_failure_policy_have_their_workflows() {
    records.model("software", GOVERNED);

    Evidence e = source.evidence(Criterion.WORKFLOWS, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.facts()).containsExactly("model software: authorization, criteria and failure policy declared");
  }

  @Test
  void a_model_of_bare_steps_has_no_workflow_and_no_model_at_all_is_not_met_either() {
    assertThat(source.evidence(Criterion.WORKFLOWS, MARCH).judgement()).isEqualTo(Judgement.NOT_MET);
    records.model("scripts", BARE);

    Evidence e = source.evidence(Criterion.WORKFLOWS, MARCH);

    assertThat(e.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(e.facts()).containsExactly("model scripts: no stage needs an approval or a change; stage production "
        + "has no criteria; stage production only stops on failure");
  }
}
