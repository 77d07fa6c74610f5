package io.gantry.metrics;

import static io.gantry.metrics.Records.at;
import static io.gantry.metrics.Records.transactions;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The measures of March 2026 day by day, on the DORA test's hand-worked records, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DailyTrendsContractTest {

  static final Period MARCH = KpiReportsContractTest.MARCH;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private Records records;
  private DailyTrends trends;
  private DoraReports dora;
  private KpiReports kpis;

  DailyTrendsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    records = new Records(db);
    trends = new DailyTrends(db.jdbc(), clock, transactions(db));
    dora = new DoraReports(db.jdbc(), clock, transactions(db));
    kpis = new KpiReports(db.jdbc(), clock, List::of, transactions(db));
    records.service("shop", "team-shop").service("billing", "team-money")
        .environment("production", "production").environment("test", "test")
        .model("std", "2025-01-01 00:00").component("shop", "web", "std").component("billing", "web", "std")
        .version("shop", "web", "1.0", Map.of("commitTime", "2026-03-01T11:00:00Z"))
        .version("billing", "web", "1.0", Map.of());
  }

  private void march() {
    // 2 March: shop production succeeded, commit to success 86400 s, request to success 3600 s
    records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");
    // 4 March: failed while executing at 10:30 (recovered by the success at 12:30: 7200 s), then the success
    records.failed("shop", "production", "2026-03-04 10:00", "2026-03-04 10:30");
    records.succeeded("shop", "production", "2026-03-04 12:00", "2026-03-04 12:30");
    // 5 March: billing rolled back, rollback 09:10 to 09:40 = 1800 s
    records.deployment("billing", "web", "1.0", "production", "std", "bob", "2026-03-05 09:00")
        .runTo("2026-03-05 09:00").to("ROLLING_BACK", "2026-03-05 09:10").to("ROLLED_BACK", "2026-03-05 09:40");
    // 7 March: into test (not production), and a cancelled one
    records.succeeded("shop", "test", "2026-03-07 10:00", "2026-03-07 10:10");
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-07 11:00")
        .to("CANCELLED", "2026-03-07 11:01");
  }

  private static DailyMeasures.Day on(DailyMeasures m, String day) {
    return m.days().stream().filter(d -> d.day().equals(LocalDate.parse(day))).findFirst().orElseThrow();
  }

  @Test
  void every_day_of_the_period_counts_the_deployments_that_ended_in_it_by_outcome() {
    march();

    DailyMeasures m = trends.daily(MARCH, MetricsFilter.NONE);

    assertThat(m.days()).hasSize(31);
    assertThat(m.days().getFirst().day()).isEqualTo(LocalDate.parse("2026-03-01"));
    assertThat(m.days().getFirst().ended()).isZero();
    assertThat(on(m, "2026-03-04")).extracting(DailyMeasures.Day::succeeded, DailyMeasures.Day::failed)
        .containsExactly(1L, 1L);
    assertThat(on(m, "2026-03-05").rolledBack()).isEqualTo(1);
    assertThat(on(m, "2026-03-07")).extracting(DailyMeasures.Day::succeeded, DailyMeasures.Day::cancelled)
        .containsExactly(1L, 1L);
    // request to success: 3600 s on 2 March; 30 min on 4 March; 10 min into test on 7 March
    assertThat(on(m, "2026-03-02").leadTimeMedianSeconds()).isEqualTo(3600.0);
    assertThat(on(m, "2026-03-07").leadTimeMedianSeconds()).isEqualTo(600.0);
  }

  @Test
  void the_dora_series_use_the_dora_reports_definitions() {
    march();

    DailyMeasures m = trends.daily(MARCH, MetricsFilter.NONE);

    // 4 March: two production runs, the failure a failed change recovered in 7200 s
    DailyMeasures.Day fourth = on(m, "2026-03-04");
    assertThat(fourth.productionDeployments()).isEqualTo(2);
    assertThat(fourth.failedChanges()).isEqualTo(1);
    assertThat(fourth.changeFailPercent()).isEqualTo(50.0);
    assertThat(fourth.recoveryMedianSeconds()).isEqualTo(7200.0);
    // commit 1 March 11:00 to success 4 March 12:30
    assertThat(fourth.changeLeadTimeMedianSeconds()).isEqualTo(264600.0);
    assertThat(on(m, "2026-03-05").recoveryMedianSeconds()).isEqualTo(1800.0);
    assertThat(on(m, "2026-03-05").changeFailPercent()).isEqualTo(100.0);
    // the test deployment and the cancelled one are not production runs
    assertThat(on(m, "2026-03-07").productionDeployments()).isZero();
    assertThat(on(m, "2026-03-07").changeFailPercent()).isNull();
  }

  @Test
  void the_days_add_up_to_the_period_reports() {
    march();

    DailyMeasures m = trends.daily(MARCH, MetricsFilter.NONE);
    KpiReport k = kpis.report(MARCH, MetricsFilter.NONE, null);
    DoraReport d = dora.report(MARCH, MetricsFilter.NONE);

    assertThat(m.days().stream().mapToLong(DailyMeasures.Day::ended).sum()).isEqualTo(k.deployments().ended());
    assertThat(m.days().stream().mapToLong(DailyMeasures.Day::failed).sum()).isEqualTo(k.deployments().failed());
    assertThat(m.days().stream().mapToLong(DailyMeasures.Day::productionDeployments).sum()).isEqualTo(d.deployments());
    assertThat(m.days().stream().mapToLong(DailyMeasures.Day::failedChanges).sum())
        .isEqualTo(d.changeFailRate().failed());
    assertThat(m.days().stream().mapToLong(DailyMeasures.Day::recovered).sum())
        .isEqualTo(d.failedDeploymentRecoveryTime().recovered());
  }

  @Test
  void a_filter_keeps_its_own_deployments_and_a_period_under_way_stops_today() {
    march();
    clock.set(at("2026-03-05 12:00"));

    DailyMeasures m = trends.daily(MARCH, new MetricsFilter("billing", null, null, null));

    assertThat(m.days()).hasSize(5);
    assertThat(m.days().getLast().day()).isEqualTo(LocalDate.parse("2026-03-05"));
    assertThat(m.days().stream().mapToLong(DailyMeasures.Day::ended).sum()).isEqualTo(1);
    assertThat(m.period().partial()).isTrue();
  }

  @Test
  void a_non_production_environment_has_outcomes_but_no_dora_series() {
    march();

    DailyMeasures m = trends.daily(MARCH, new MetricsFilter(null, "test", null, null));

    assertThat(on(m, "2026-03-07").succeeded()).isEqualTo(1);
    assertThat(m.days()).allSatisfy(d -> assertThat(d.productionDeployments()).isZero());
  }

  @Test
  void the_median_is_interpolated_as_percentile_cont() {
    assertThat(DailyTrends.median(List.of())).isNull();
    assertThat(DailyTrends.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(DailyTrends.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
  }
}
