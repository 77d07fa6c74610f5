package io.gantry.assessment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.Judgement;
import io.gantry.catalog.TrustedKeys;
import io.gantry.change.ChangesForTests;
import io.gantry.change.ItsmSettings;
import io.gantry.environment.Targets;
import io.gantry.events.Subscriptions;
import io.gantry.events.SubscriptionsForTests;
import io.gantry.identity.Access;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.inbound.InboundHooks;
import io.gantry.metrics.FlowRecords;
import io.gantry.model.Models;
import io.gantry.testing.CapabilityRecords;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** The criteria the assessment judges from several modules' public records, each met and not met, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class SourcesContractTest {

  private static final AssessmentPeriod MARCH = new AssessmentPeriod(CapabilityRecords.at("2026-03-01 00:00"),
      CapabilityRecords.at("2026-04-01 00:00"));
  private static final String MODEL = """
      spec:
        stages:
          - name: production
            environment: production
            authorization: change
            approvers: {roles: [deployment-manager, service-owner], count: 2}
            steps:
              - {name: sign-off, type: manual, instructions: check the shop, role: technical-specialist}
      """;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private TestDatabase.Instance db;
  private CapabilityRecords records;
  private FlowRecords flow;
  private Subscriptions subscriptions;

  SourcesContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new CapabilityRecords(db.jdbc());
    flow = new FlowRecords(db.jdbc());
    subscriptions = SubscriptionsForTests.reading(db.jdbc(), clock);
  }

  private Evidence judge(io.gantry.capability.EvidenceSource source, Criterion c) {
    assertThat(source.criteria()).containsExactly(c);
    return source.evidence(c, MARCH);
  }

  @Test
  void competencies_are_met_when_someone_holds_every_role_a_stage_needs_in_its_environment() {
    Users users = new Users(db.jdbc(), clock);
    var source = new CompetencyEvidence(new Models(db.jdbc(), clock), users, new Access(users, db.jdbc()));
    records.model("software", MODEL);
    users.create("dana", "Dana", EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.named("admin"));

    Evidence few = judge(source, Criterion.COMPETENCIES);
    assertThat(few.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(few.facts()).containsExactly(
        "model software, stage production (production) needs deployment-manager: 1 user(s) hold it there",
        "model software, stage production (production) needs service-owner: 0 user(s) hold it there",
        "model software, stage production (production) needs technical-specialist: 0 user(s) hold it there");

    users.create("sam", "Sam", EnumSet.of(Role.SERVICE_OWNER), Actor.named("admin"));
    users.create("tess", "Tess", EnumSet.of(Role.TECHNICAL_SPECIALIST), Actor.named("admin"));
    assertThat(judge(source, Criterion.COMPETENCIES).judgement()).isEqualTo(Judgement.MET);
  }

  @Test
  void third_parties_are_met_with_all_four_relationships_and_not_met_with_none() {
    ThirdPartyEvidence none = new ThirdPartyEvidence(flow, new TrustedKeys(db.jdbc(), clock),
        new InboundHooks(db.jdbc(), clock), itsm(ItsmSettings.none()));
    Evidence nothing = judge(none, Criterion.THIRD_PARTIES);
    assertThat(nothing.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(nothing.reason()).contains("Gantry cannot see contracts");

    records.ended("SUCCEEDED", "EXTERNAL", "2026-03-02 10:00", false);
    records.trustedKey("vendor");
    records.inboundHook("registry");
    assertThat(judge(none, Criterion.THIRD_PARTIES).judgement()).isEqualTo(Judgement.PARTLY_MET);
    ThirdPartyEvidence all = new ThirdPartyEvidence(flow, new TrustedKeys(db.jdbc(), clock),
        new InboundHooks(db.jdbc(), clock), itsm(servicenow()));
    Evidence e = judge(all, Criterion.THIRD_PARTIES);
    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.facts()).containsExactly("1 deployments by other tools were reported in the period",
        "1 trusted keys check signed artifacts", "1 inbound hooks receive versions from outside",
        "1 ITSM systems are integrated with change enablement");
  }

  @Test
  void technologies_are_met_with_targets_and_an_information_flow_and_not_met_with_neither() {
    var source = new TechnologyEvidence(new Targets(db.jdbc(), clock), subscriptions, itsm(ItsmSettings.none()));
    assertThat(judge(source, Criterion.TECHNOLOGIES).judgement()).isEqualTo(Judgement.NOT_MET);

    records.target("production", "web-1");
    records.subscription("ci");
    Evidence e = judge(source, Criterion.TECHNOLOGIES);
    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.facts()).startsWith("1 targets: 1 local", "1 event subscriptions send Gantry's events to other tools");
  }

  @Test
  void value_streams_are_met_when_deployments_carry_value_stream_data_sit_in_changes_and_incidents_link_to_them() {
    var source = new ValueStreamEvidence(flow, ChangesForTests.deploymentChanges(db.jdbc()));
    long a = records.ended("SUCCEEDED", "2026-03-02 10:00", true);
    long b = records.ended("FAILED", "2026-03-03 10:00", true);
    records.incident("2026-03-03 10:30", b);
    assertThat(judge(source, Criterion.VALUE_STREAMS).judgement()).as("no deployment in a change")
        .isEqualTo(Judgement.PARTLY_MET);

    records.change(a);
    Evidence e = judge(source, Criterion.VALUE_STREAMS);
    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.facts()).containsExactly("2 deployments ended in the period (cancelled ones not counted)",
        "2 carry value stream data (100.0 %)", "1 are inside a change (50.0 %)",
        "1 of 1 incidents detected in the period are related to a deployment");
  }

  @Test
  void value_streams_are_not_met_when_deployments_carry_no_value_stream_data() {
    var source = new ValueStreamEvidence(flow, ChangesForTests.deploymentChanges(db.jdbc()));
    long a = records.ended("SUCCEEDED", "2026-03-02 10:00", false);
    records.change(a);
    records.ended("SUCCEEDED", "2026-03-03 10:00", false);

    assertThat(judge(source, Criterion.VALUE_STREAMS).judgement()).isEqualTo(Judgement.NOT_MET);
  }

  @Test
  void the_approach_is_integrated_when_deployments_sit_in_changes_and_other_tools_subscribe() {
    var source = new IntegrationEvidence(flow, ChangesForTests.deploymentChanges(db.jdbc()), subscriptions);
    long a = records.ended("SUCCEEDED", "2026-03-02 10:00", true);
    long b = records.ended("SUCCEEDED", "2026-03-03 10:00", true);
    assertThat(judge(source, Criterion.APPROACH_INTEGRATED).judgement()).isEqualTo(Judgement.NOT_MET);

    records.change(a);
    assertThat(judge(source, Criterion.APPROACH_INTEGRATED).judgement()).as("1 of 2 in a change, no subscription")
        .isEqualTo(Judgement.PARTLY_MET);
    records.change(b);
    records.subscription("cmdb");
    Evidence e = judge(source, Criterion.APPROACH_INTEGRATED);
    assertThat(e.judgement()).isEqualTo(Judgement.MET);
    assertThat(e.facts()).containsExactly("2 of 2 deployments that ended in the period are inside a change",
        "1 event subscriptions send Gantry's events to other tools");
  }

  private org.springframework.beans.factory.ObjectProvider<ItsmSettings> itsm(ItsmSettings settings) {
    StaticListableBeanFactory f = new StaticListableBeanFactory(Map.of("itsm", settings));
    return f.getBeanProvider(ItsmSettings.class);
  }

  private static ItsmSettings servicenow() {
    return new ItsmSettings(Map.of("sn", new ItsmSettings.ItsmSystem(ItsmSettings.Type.SERVICENOW,
        "https://acme.service-now.com", "gantry", "pw", null, null, null, null, null, null, null, null)));
  }
}
