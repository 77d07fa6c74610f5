package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.deployment.Deployments;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The facts of ended deployments: worked out once, on the first report that needs them, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DeploymentFactsContractTest {

  static final Period MARCH = KpiReportsContractTest.MARCH;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private TestDatabase.Instance db;
  private Records records;

  DeploymentFactsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new Records(db);
    records.service("shop", "team-shop").environment("production", "production").environment("test", "test");
  }

  private DeploymentFacts facts(int batch) {
    return new DeploymentFacts(db.jdbc(), new CommitTimes(db.jdbc()), db.transactions(), db.dataSource(), batch);
  }

  private long rows(String table) {
    return db.jdbc().sql("select count(*) from " + table).query(Long.class).single();
  }

  @Test
  void an_ended_deployment_s_facts_hold_its_lead_time_schedule_deviation_and_value_stream() {
    long id = records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-02 10:00")
        .planned("2026-03-02 10:30").waitFor(WaitKind.SCHEDULE, "2026-03-02 10:00")
        .to("PLANNED", "2026-03-02 10:35").to("COMPONENTS_VERIFIED", "2026-03-02 10:36")
        .to("ENVIRONMENT_VERIFIED", "2026-03-02 10:37").to("EXECUTING", "2026-03-02 10:37")
        .waitFor(WaitKind.APPROVAL, "2026-03-02 10:40").step("2026-03-02 11:40")
        .to("ROLLING_BACK", "2026-03-02 11:45").to("ROLLED_BACK", "2026-03-02 11:55").id;

    facts(100).write(MARCH);

    Map<String, Object> row = db.jdbc().sql("select * from metrics_deployment_facts where deployment_id = :id")
        .param("id", id).query().singleRow();
    assertThat(row.get("state")).isEqualTo("ROLLED_BACK");
    assertThat(row.get("executed")).isEqualTo(true);
    assertThat(number(row, "lead_seconds")).isEqualTo(6900.0); // 10:00 to 11:55
    // started when planned (10:35), five minutes after its planned start
    assertThat(number(row, "start_deviation")).isEqualTo(300.0);
    assertThat(number(row, "rollback_seconds")).isEqualTo(600.0);
    assertThat(row.get("commit_seconds")).isNull();
    // planning: 35 min waiting for the schedule; 1 + 1 min verifying; executing 3 + 5 min, 60 min waiting
    assertThat(number(row, "planning_p")).isEqualTo(0.0);
    assertThat(number(row, "planning_w")).isEqualTo(2100.0);
    assertThat(number(row, "component_verification_p")).isEqualTo(60.0);
    assertThat(number(row, "environment_verification_p")).isEqualTo(60.0);
    assertThat(number(row, "execution_start_p")).isEqualTo(0.0); // left at once
    assertThat(number(row, "execution_p")).isEqualTo(480.0);
    assertThat(number(row, "execution_w")).isEqualTo(3600.0);
    assertThat(number(row, "rollback_p")).isEqualTo(600.0);
    assertThat(row.get("deployment_verification_p")).isNull();
    assertThat(number(row, "process_seconds")).isEqualTo(1200.0);
    assertThat(number(row, "wait_seconds")).isEqualTo(5700.0);
    assertThat(db.jdbc().sql("""
        select activity || ' ' || waiting_for || ' ' || cast(cast(seconds as int) as varchar(20))
          from metrics_deployment_waits where deployment_id = :id order by activity
        """).param("id", id).query(String.class).list())
        .containsExactly("EXECUTING APPROVAL 3600", "REQUESTED SCHEDULE 2100");
  }

  @Test
  void facts_are_written_once_and_a_deployment_that_ends_later_is_added_by_the_next_report() {
    records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 10:10");
    Records.Dep open = records.deployment("shop", "web", "1.1", "production", "std", "alice", "2026-03-03 10:00")
        .runTo("2026-03-03 10:00");
    DeploymentFacts facts = facts(100);

    facts.write(MARCH);
    facts.write(MARCH);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(1);

    open.to("FAILED", "2026-03-03 10:30");
    facts.write(MARCH);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(2);
    assertThat(db.jdbc().sql("select state from metrics_deployment_facts where deployment_id = :id")
        .param("id", open.id).query(String.class).single()).isEqualTo("FAILED");
  }

  @Test
  void a_report_whose_batch_holds_one_written_as_it_ended_still_writes_all_the_others() {
    java.util.List<Long> ended = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ended.add(records.succeeded("shop", "production", "2026-03-03 10:00", "2026-03-03 10:1" + i));
    }
    DeploymentFacts facts = facts(100);
    assertThat(facts.writeEnded(ended.get(2))).as("written as it ended").isTrue();
    assertThat(facts.writeEnded(ended.get(2))).as("once").isFalse();
    long open = records.deployment("shop", "web", "1.1", "production", "std", "alice", "2026-03-04 10:00")
        .runTo("2026-03-04 10:00").id;
    assertThat(facts.writeEnded(open)).as("not ended: no facts yet").isFalse();

    // a report that listed the deployments without facts just before the third was written: its batch holds it,
    // and that row breaks the batch's insert
    assertThat(facts.writeBatch(ended)).as("the others, one by one").isEqualTo(4);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(5);
    facts.write(MARCH);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(5);
  }

  @Test
  void only_deployments_that_ended_in_the_period_get_facts_and_many_that_ended_at_the_same_instant_all_do() {
    for (int i = 0; i < 7; i++) {
      records.succeeded("shop", "test", "2026-03-05 09:00", "2026-03-05 10:00");
    }
    records.succeeded("shop", "test", "2026-02-27 09:00", "2026-02-28 10:00");
    records.succeeded("shop", "test", "2026-03-31 23:00", "2026-04-01 00:00");

    facts(3).write(MARCH); // in batches of three, each starting where the last ended

    assertThat(rows("metrics_deployment_facts")).isEqualTo(7);
  }

  @Test
  void two_reports_writing_the_same_facts_at_once_both_end_well_and_write_each_row_once() throws Exception {
    for (int i = 0; i < 40; i++) {
      records.succeeded("shop", "production", "2026-03-05 09:00", "2026-03-05 09:" + String.format("%02d", 10 + i));
    }
    CountDownLatch go = new CountDownLatch(1);
    var first = CompletableFuture.runAsync(() -> {
      await(go);
      facts(5).write(MARCH);
    });
    var second = CompletableFuture.runAsync(() -> {
      await(go);
      facts(5).write(MARCH);
    });
    go.countDown();
    CompletableFuture.allOf(first, second).get();

    assertThat(rows("metrics_deployment_facts")).isEqualTo(40);
    var kpis = new KpiReports(db.jdbc(), clock, java.util.List::of, Records.transactions(db));
    assertThat(kpis.report(MARCH, MetricsFilter.NONE, null).deployments().succeeded()).isEqualTo(40);
  }

  @Test
  void facts_deleted_by_hand_are_worked_out_again_from_the_records() {
    records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 10:10");
    var valueStreams = new ValueStreams(db.jdbc(), new Deployments(db.jdbc()), clock, Records.transactions(db));
    ValueStreamMap before = valueStreams.map(MARCH, MetricsFilter.NONE);
    db.jdbc().sql("delete from metrics_deployment_waits").update();
    db.jdbc().sql("delete from metrics_deployment_facts").update();

    ValueStreamMap after = valueStreams.map(MARCH, MetricsFilter.NONE);

    assertThat(after).isEqualTo(before);
    assertThat(after.deployments()).isEqualTo(1);
  }

  private DeploymentFacts trusting() {
    return new DeploymentFacts(db.jdbc(), new CommitTimes(db.jdbc()), db.transactions(), db.dataSource(),
        DeploymentFacts.BATCH, clock, DeploymentFacts.TRUSTED);
  }

  @Test
  void a_check_that_found_every_deployment_with_its_facts_is_trusted_for_a_minute_and_no_longer() {
    records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 10:10");
    DeploymentFacts facts = trusting();
    facts.write(MARCH);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(1);
    db.jdbc().sql("delete from metrics_deployment_waits").update();
    db.jdbc().sql("delete from metrics_deployment_facts").update();

    clock.advance(java.time.Duration.ofSeconds(59));
    facts.write(MARCH);
    assertThat(rows("metrics_deployment_facts")).as("within the minute the check stands").isZero();
    clock.advance(java.time.Duration.ofSeconds(2));
    facts.write(MARCH);
    assertThat(rows("metrics_deployment_facts")).as("after it the period is checked again").isEqualTo(1);
  }

  @Test
  void deployments_that_ended_in_the_last_ten_minutes_or_after_a_trusted_stretch_are_checked_every_time() {
    // the clock stands at 2026-04-10T00:00: a period running up to now
    Period april = new Period(Instant.parse("2026-04-01T00:00:00Z"), Instant.parse("2026-04-10T00:00:00Z"));
    records.succeeded("shop", "production", "2026-04-09 10:00", "2026-04-09 10:10");
    DeploymentFacts facts = trusting();
    facts.write(april);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(1);

    // ended five minutes before the check, written now (as a deployment whose commit came late would be)
    records.succeeded("shop", "production", "2026-04-09 23:50", "2026-04-09 23:55");
    facts.write(april);
    assertThat(rows("metrics_deployment_facts")).isEqualTo(2);

    // a later period that starts inside the trusted stretch checks what ended after it
    clock.advance(java.time.Duration.ofSeconds(30));
    records.succeeded("shop", "production", "2026-04-10 00:00:10", "2026-04-10 00:00:20");
    facts.write(new Period(april.from(), clock.instant()));
    assertThat(rows("metrics_deployment_facts")).isEqualTo(3);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double number(Map<String, Object> row, String column) {
    return ((Number) row.get(column)).doubleValue();
  }
}
