package io.gantry.metrics;

import static io.gantry.metrics.Records.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import static io.gantry.metrics.Records.transactions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The value stream map of two hand-written deployment records, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ValueStreamsContractTest {

  static final Period MARCH = KpiReportsContractTest.MARCH;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private Records records;
  private ValueStreams valueStreams;
  private TestDatabase.Instance db;

  ValueStreamsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new Records(db);
    valueStreams = new ValueStreams(db.jdbc(), new Deployments(db.jdbc()), clock, transactions(db));
    records.service("shop", "team-shop").service("billing", "team-money").environment("production", "production")
        .environment("test", "test");
  }

  /**
   * V1: waits for the lock 20 min and a window 30 min while planning; verifies components in 2 min and the
   * environment in 1 min; executes 2 min, waits 30 min for a manual step (a log line in between does not
   * cut the wait), executes 2 more min; verifies the deployment in 3 min. Process 600 s, waiting 4800 s.
   */
  private long v1() {
    return records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-02 10:00")
        .waitFor(WaitKind.LOCK, "2026-03-02 10:00").waitFor(WaitKind.WINDOW, "2026-03-02 10:20")
        .to("PLANNED", "2026-03-02 10:50").to("COMPONENTS_VERIFIED", "2026-03-02 10:52")
        .to("ENVIRONMENT_VERIFIED", "2026-03-02 10:53").to("EXECUTING", "2026-03-02 10:53")
        .step("2026-03-02 10:54").waitFor(WaitKind.MANUAL, "2026-03-02 10:55").log("2026-03-02 10:55")
        .step("2026-03-02 11:25").to("VERIFYING", "2026-03-02 11:27").to("SUCCEEDED", "2026-03-02 11:30").id;
  }

  /**
   * V2: plans in 10 min, verifies in 1 + 1 min, executes 1 min, waits an hour for an approval, executes 2
   * min, rolls back in 10 min. Process 1500 s, waiting 3600 s.
   */
  private long v2() {
    return records.deployment("shop", "web", "1.1", "production", "std", "alice", "2026-03-03 09:00")
        .to("PLANNED", "2026-03-03 09:10").to("COMPONENTS_VERIFIED", "2026-03-03 09:11")
        .to("ENVIRONMENT_VERIFIED", "2026-03-03 09:12").to("EXECUTING", "2026-03-03 09:12")
        .waitFor(WaitKind.APPROVAL, "2026-03-03 09:13").step("2026-03-03 10:13")
        .to("ROLLING_BACK", "2026-03-03 10:15").to("ROLLED_BACK", "2026-03-03 10:25").id;
  }

  @Test
  void every_activity_and_kind_of_wait_has_its_process_and_waiting_time_biggest_waits_first() {
    v1();
    v2();
    // ended in April and unfinished: not in March's map
    records.deployment("billing", "web", "1.0", "test", "std", "bob", "2026-03-31 23:00")
        .waitFor(WaitKind.CHANGE, "2026-03-31 23:00").to("FAILED", "2026-04-01 02:00");
    records.deployment("shop", "web", "1.2", "production", "std", "alice", "2026-03-30 10:00")
        .waitFor(WaitKind.SCHEDULE, "2026-03-30 10:00");

    ValueStreamMap map = valueStreams.map(MARCH, MetricsFilter.NONE);

    assertThat(map.deployments()).isEqualTo(2);
    // process 600 + 1500, waiting 4800 + 3600: 2100 / 10500 = 20 %; medians (600 + 1500) / 2, (4800 + 3600) / 2
    assertThat(map.totals()).isEqualTo(new ValueStreamMap.Totals(2100.0, 8400.0, 20.0, 1050.0, 4200.0));
    assertThat(map.activities()).containsExactly(
        new ValueStreamMap.ActivityRow("planning", "REQUESTED", 2, 600.0, 300.0, 3000.0, 1500.0, 16.7,
            Map.of("lock", 1200.0, "window", 1800.0)),
        new ValueStreamMap.ActivityRow("component-verification", "PLANNED", 2, 180.0, 90.0, 0.0, 0.0, 100.0, Map.of()),
        new ValueStreamMap.ActivityRow("environment-verification", "COMPONENTS_VERIFIED", 2, 120.0, 60.0, 0.0, 0.0,
            100.0, Map.of()),
        new ValueStreamMap.ActivityRow("execution-start", "ENVIRONMENT_VERIFIED", 2, 0.0, 0.0, 0.0, 0.0, null,
            Map.of()),
        new ValueStreamMap.ActivityRow("execution", "EXECUTING", 2, 420.0, 210.0, 5400.0, 2700.0, 7.2,
            Map.of("approval", 3600.0, "manual", 1800.0)),
        new ValueStreamMap.ActivityRow("deployment-verification", "VERIFYING", 1, 180.0, 180.0, 0.0, 0.0, 100.0,
            Map.of()),
        new ValueStreamMap.ActivityRow("rollback", "ROLLING_BACK", 1, 600.0, 600.0, 0.0, 0.0, 100.0, Map.of()));
    assertThat(map.waits()).containsExactly(
        new ValueStreamMap.WaitRow("approval", 1, 3600.0, 3600.0, 42.9),
        new ValueStreamMap.WaitRow("manual", 1, 1800.0, 1800.0, 21.4),
        new ValueStreamMap.WaitRow("window", 1, 1800.0, 1800.0, 21.4),
        new ValueStreamMap.WaitRow("lock", 1, 1200.0, 1200.0, 14.3));
  }

  @Test
  void waits_for_people_to_confirm_entry_and_exit_criteria_show_as_their_own_kinds_in_their_activities() {
    long id = records.deployment("shop", "web", "2.0", "production", "std", "alice", "2026-03-05 10:00")
        .to("PLANNED", "2026-03-05 10:01").to("COMPONENTS_VERIFIED", "2026-03-05 10:02")
        .to("ENVIRONMENT_VERIFIED", "2026-03-05 10:03").waitFor(WaitKind.ENTRY_CONFIRMATION, "2026-03-05 10:03")
        .to("EXECUTING", "2026-03-05 10:33").to("VERIFYING", "2026-03-05 10:35")
        .waitFor(WaitKind.EXIT_CONFIRMATION, "2026-03-05 10:36").to("SUCCEEDED", "2026-03-05 11:36").id;

    ValueStreamMap map = valueStreams.map(MARCH, MetricsFilter.NONE);

    assertThat(map.waits()).containsExactly(
        new ValueStreamMap.WaitRow("exit_confirmation", 1, 3600.0, 3600.0, 66.7),
        new ValueStreamMap.WaitRow("entry_confirmation", 1, 1800.0, 1800.0, 33.3));
    assertThat(map.activities()).filteredOn(a -> !a.waitSecondsByKind().isEmpty())
        .extracting(ValueStreamMap.ActivityRow::activity, ValueStreamMap.ActivityRow::waitSecondsByKind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("execution-start", Map.of("entry_confirmation", 1800.0)),
            org.assertj.core.groups.Tuple.tuple("deployment-verification", Map.of("exit_confirmation", 3600.0)));
    assertThat(valueStreams.timeline(id).segments()).filteredOn(s -> s.type().equals("wait"))
        .extracting(s -> s.activity() + " " + s.waitingFor() + " " + s.seconds())
        .containsExactly("execution-start entry_confirmation 1800.0", "deployment-verification exit_confirmation 3600.0");
  }

  @Test
  void filters_and_empty_periods() {
    v1();
    v2();

    assertThat(valueStreams.map(MARCH, new MetricsFilter("billing", null, null, null)).totals())
        .isEqualTo(new ValueStreamMap.Totals(0.0, 0.0, null, null, null));
    ValueStreamMap april = valueStreams.map(new Period(at("2026-04-01 00:00"), at("2026-04-05 00:00")),
        MetricsFilter.NONE);
    assertThat(april.deployments()).isZero();
    assertThat(april.activities()).isEmpty();
    assertThat(april.waits()).isEmpty();
  }

  @Test
  void one_deployment_as_a_timeline_of_process_and_wait_segments() {
    long id = v1();

    ValueStreamMap.Timeline t = valueStreams.timeline(id);

    assertThat(t.finished()).isTrue();
    assertThat(t.until()).isEqualTo(at("2026-03-02 11:30"));
    assertThat(t.segments()).extracting(s -> s.activity() + " " + s.type() + " " + s.waitingFor() + " " + s.seconds())
        .containsExactly(
            "planning process null 0.0",
            "planning wait lock 1200.0",
            "planning wait window 1800.0",
            "component-verification process null 120.0",
            "environment-verification process null 60.0",
            "execution-start process null 0.0",
            "execution process null 120.0",
            "execution wait manual 1800.0",
            "execution process null 120.0",
            "deployment-verification process null 180.0");
    assertThat(t.totals()).isEqualTo(new ValueStreamMap.Totals(600.0, 4800.0, 11.1, 600.0, 4800.0));
    assertThat(t.waits()).extracting(ValueStreamMap.WaitRow::kind).containsExactly("window", "manual", "lock");
  }

  @Test
  void the_time_between_an_idle_slots_analysis_rounds_and_a_verifications_are_waits_of_their_own_kinds() {
    // the idle slot's steps 1 min, two rounds of its analysis (waits of 2 min and 1 min), the switch, then two
    // rounds of the verification analysis (waits of 3 min each)
    long id = records.deployment("shop", "web", "2.0", "production", "std", "alice", "2026-03-05 10:00")
        .to("PLANNED", "2026-03-05 10:00").to("COMPONENTS_VERIFIED", "2026-03-05 10:00")
        .to("ENVIRONMENT_VERIFIED", "2026-03-05 10:00").to("EXECUTING", "2026-03-05 10:00")
        .step("2026-03-05 10:00").waitFor(WaitKind.SWITCH_ANALYSIS, "2026-03-05 10:01")
        .step("2026-03-05 10:03").waitFor(WaitKind.SWITCH_ANALYSIS, "2026-03-05 10:03")
        .step("2026-03-05 10:04").to("VERIFYING", "2026-03-05 10:05")
        .waitFor(WaitKind.VERIFY_ANALYSIS, "2026-03-05 10:05").step("2026-03-05 10:08")
        .waitFor(WaitKind.VERIFY_ANALYSIS, "2026-03-05 10:08").step("2026-03-05 10:11")
        .to("SUCCEEDED", "2026-03-05 10:11").id;

    ValueStreamMap.Timeline t = valueStreams.timeline(id);

    assertThat(t.waits()).extracting(ValueStreamMap.WaitRow::kind, ValueStreamMap.WaitRow::seconds)
        .containsExactly(tuple("verify_analysis", 360.0), tuple("switch_analysis", 180.0));
    assertThat(valueStreams.map(MARCH, MetricsFilter.NONE).waits()).extracting(ValueStreamMap.WaitRow::kind)
        .containsExactlyInAnyOrder("switch_analysis", "verify_analysis");
  }

  @Test
  void a_deployment_s_timeline_marks_each_round_of_its_analyses_with_its_verdict_and_measurements() {
    long id = records.deployment("shop", "web", "2.0", "production", "std", "alice", "2026-03-06 10:00")
        .runTo("2026-03-06 10:00").to("ROLLING_BACK", "2026-03-06 10:20").to("ROLLED_BACK", "2026-03-06 10:25").id;
    var jdbc = db.jdbc();
    jdbc.sql("insert into analyses (deployment_id, scope, started_at, ended_at, passed, outcome) values (:d, 'canary', "
        + ":from, :to, false, 'canary analysis failed')").param("d", id)
        .param("from", java.sql.Timestamp.from(java.time.Instant.parse("2026-03-06T10:05:00Z")))
        .param("to", java.sql.Timestamp.from(java.time.Instant.parse("2026-03-06T10:15:00Z"))).update();
    for (int round = 1; round <= 2; round++) {
      jdbc.sql("insert into analysis_rounds (deployment_id, scope, round_no, started_at, passed, total, results) "
          + "values (:d, 'canary', :r, :at, :p, 1, 'x')").param("d", id).param("r", round).param("p", 2 - round)
          .param("at", java.sql.Timestamp.from(java.time.Instant.parse("2026-03-06T10:1" + round + ":00Z"))).update();
      jdbc.sql("insert into analysis_measurements (deployment_id, scope, round_no, metric_no, metric, query, answer, "
          + "measured_at, verdict, counted_passed, reason) values (:d, 'canary', :r, 1, 'error-rate', 'q', :answer, "
          + ":at, :verdict, :counted, 'why')").param("d", id).param("r", round)
          .param("answer", round == 1 ? "0.01" : "0.5").param("verdict", round == 1 ? "PASSED" : "FAILED")
          .param("counted", round == 1)
          .param("at", java.sql.Timestamp.from(java.time.Instant.parse("2026-03-06T10:1" + round + ":01Z"))).update();
    }

    ValueStreamMap.Timeline t = valueStreams.timeline(id);

    assertThat(t.analysisRounds()).extracting(r -> r.analysis() + " " + r.round() + " " + r.passed() + "/" + r.total()
        + " " + r.measurements().getFirst().metric() + " " + r.measurements().getFirst().verdict() + " "
        + r.measurements().getFirst().answer() + " " + r.analysisPassed())
        .containsExactly("canary 1 1/1 error-rate PASSED 0.01 false", "canary 2 0/1 error-rate FAILED 0.5 false");
    assertThat(t.analysisRounds().getFirst().at()).isEqualTo(java.time.Instant.parse("2026-03-06T10:11:00Z"));
  }

  @Test
  void a_canarys_pause_and_the_time_between_its_analysis_rounds_are_waits_of_their_own_kinds() {
    // the canary batch 2 min, its pause 10 min, two analysis rounds a minute apart (each check a minute
    // after its wait began), the rest 3 min
    long id = records.deployment("shop", "web", "2.0", "production", "std", "alice", "2026-03-05 10:00")
        .to("PLANNED", "2026-03-05 10:00").to("COMPONENTS_VERIFIED", "2026-03-05 10:00")
        .to("ENVIRONMENT_VERIFIED", "2026-03-05 10:00").to("EXECUTING", "2026-03-05 10:00")
        .step("2026-03-05 10:00").waitFor(WaitKind.CANARY_PAUSE, "2026-03-05 10:02")
        .waitFor(WaitKind.CANARY_ANALYSIS, "2026-03-05 10:12").step("2026-03-05 10:13")
        .waitFor(WaitKind.CANARY_ANALYSIS, "2026-03-05 10:13").step("2026-03-05 10:14")
        .to("VERIFYING", "2026-03-05 10:17").to("SUCCEEDED", "2026-03-05 10:17").id;

    ValueStreamMap.Timeline t = valueStreams.timeline(id);

    assertThat(t.waits()).extracting(ValueStreamMap.WaitRow::kind, ValueStreamMap.WaitRow::seconds)
        .containsExactly(tuple("canary_pause", 600.0), tuple("canary_analysis", 120.0));
    assertThat(t.totals().processSeconds()).isEqualTo(300.0);
    assertThat(valueStreams.map(MARCH, MetricsFilter.NONE).waits()).extracting(ValueStreamMap.WaitRow::kind)
        .containsExactly("canary_pause", "canary_analysis");
  }

  @Test
  void a_blue_green_switch_and_switch_back_are_segments_of_their_own_in_the_timeline() {
    long id = records.deployment("shop", "web", "2.0", "production", "std", "alice", "2026-03-05 10:00")
        .to("PLANNED", "2026-03-05 10:00").to("COMPONENTS_VERIFIED", "2026-03-05 10:00")
        .to("ENVIRONMENT_VERIFIED", "2026-03-05 10:00").to("EXECUTING", "2026-03-05 10:00")
        .step("2026-03-05 10:00").step("2026-03-05 10:04").switchStep("2026-03-05 10:05", "switch")
        .step("2026-03-05 10:06").step("2026-03-05 10:07").to("VERIFYING", "2026-03-05 10:08")
        .to("ROLLING_BACK", "2026-03-05 10:10").switchStep("2026-03-05 10:10", "switch-back")
        .to("ROLLED_BACK", "2026-03-05 10:11").id;

    ValueStreamMap.Timeline t = valueStreams.timeline(id);

    assertThat(t.segments()).filteredOn(s -> s.activity().equals("execution") || s.activity().equals("rollback"))
        .extracting(s -> s.activity() + " " + s.type() + " " + s.seconds() + " " + s.what())
        .containsExactly(
            "execution process 300.0 null",
            "execution process 60.0 switch step proxy (switch) started",
            "execution process 120.0 null",
            "rollback process 0.0 null",
            "rollback process 60.0 switch-back step proxy (switch) started");
  }

  @Test
  void an_unfinished_deployment_has_an_open_last_segment_until_now() {
    long id = records.deployment("shop", "web", "1.2", "production", "std", "alice", "2026-04-09 23:00")
        .waitFor(WaitKind.LOCK, "2026-04-09 23:30").id;

    ValueStreamMap.Timeline t = valueStreams.timeline(id);

    assertThat(t.finished()).isFalse();
    assertThat(t.segments()).extracting(s -> s.type() + " " + s.seconds() + " " + s.open())
        .containsExactly("process 1800.0 false", "wait 1800.0 true");
    assertThat(t.totals().flowEfficiencyPercent()).isEqualTo(50.0);
  }

  @Test
  void every_allowed_transition_goes_to_a_later_state_so_the_highest_state_reached_is_the_current_one() {
    for (DeploymentState from : DeploymentState.values()) {
      for (DeploymentState to : DeploymentState.values()) {
        if (from.canBecome(to)) {
          assertThat(to.ordinal()).as(from + " -> " + to).isGreaterThan(from.ordinal());
        }
      }
      // the map counts time in states before the first final one
      assertThat(from.isFinal()).as(from.name()).isEqualTo(from.ordinal() >= DeploymentState.SUCCEEDED.ordinal());
    }
  }
}
