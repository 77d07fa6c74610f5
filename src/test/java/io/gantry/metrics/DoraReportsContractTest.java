package io.gantry.metrics;

import static io.gantry.metrics.Records.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import static io.gantry.metrics.Records.transactions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The DORA measures of March 2026 on a small record set worked out by hand, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DoraReportsContractTest {

  static final Period MARCH = KpiReportsContractTest.MARCH;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private Records records;
  private DoraReports dora;

  DoraReportsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    records = new Records(db);
    dora = new DoraReports(db.jdbc(), clock, transactions(db));
    records.service("shop", "team-shop").service("billing", "team-money")
        .environment("production", "production").environment("live-eu", "production").environment("test", "test")
        .model("std", "2025-01-01 00:00").component("shop", "web", "std").component("billing", "web", "std")
        .version("shop", "web", "1.0", Map.of("commitTime", "2026-03-01T11:00:00Z"))
        .version("billing", "web", "1.0", Map.of("commitTime", "soon"));
  }

  private void march() {
    // P1 shop production succeeded: commit 1 March 11:00 to success 2 March 11:00 = 86400 s
    records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");
    // P2 failed while planning: never ran, left out
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-03 10:00")
        .to("FAILED", "2026-03-03 10:05");
    // P3 failed while executing at 10:30; P4 succeeded at 12:30: recovered in 7200 s
    long p3 = records.failed("shop", "production", "2026-03-04 10:00", "2026-03-04 10:30");
    // P4 the fix, remediating the incident P3 caused: rework; commit to success 3 d 1.5 h = 264600 s
    long p4 = records.succeeded("shop", "production", "2026-03-04 12:00", "2026-03-04 12:30");
    long i1 = records.incident("shop", "production", 1, "2026-03-04 11:00", "2026-03-04 12:40", p3);
    records.remediation(i1, p4);
    // P5 billing production rolled back: rollback from 09:10 to 09:40 = 1800 s
    records.deployment("billing", "web", "1.0", "production", "std", "bob", "2026-03-05 09:00")
        .runTo("2026-03-05 09:00").to("ROLLING_BACK", "2026-03-05 09:10").to("ROLLED_BACK", "2026-03-05 09:40");
    // P6 billing live-eu succeeded (request to success 1200 s: its commit time is unreadable) but caused an
    //    incident detected 11:00, resolved 15:00: a failed change recovered in 14400 s
    long p6 = records.succeeded("billing", "live-eu", "2026-03-06 10:00", "2026-03-06 10:20");
    records.incident("billing", "live-eu", 2, "2026-03-06 11:00", "2026-03-06 15:00", p6);
    // P7 into test and P8 cancelled: not production deployments that ran
    records.succeeded("shop", "test", "2026-03-07 10:00", "2026-03-07 10:10");
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-08 10:00")
        .to("CANCELLED", "2026-03-08 10:01");
    // P9 shop production succeeded 10 March 10:10: commit to success 9 d - 50 min = 774600 s
    records.succeeded("shop", "production", "2026-03-10 10:00", "2026-03-10 10:10");
    // P10 failed while executing; no success since: unrecovered
    records.failed("shop", "production", "2026-03-20 09:00", "2026-03-20 10:00");
  }

  @Test
  void the_four_keys_and_rework_of_march_with_their_levels() {
    march();

    DoraReport r = dora.report(MARCH, MetricsFilter.NONE);

    assertThat(r.productionEnvironments()).containsExactly("live-eu", "production");
    // ran: P1 P3 P4 P5 P6 P9 P10
    assertThat(r.deployments()).isEqualTo(7);
    // 4 successes in 31 days: 0.129 a day, 0.903 a week: between once a week and once a month
    assertThat(r.deploymentFrequency()).isEqualTo(new DoraReport.DeploymentFrequency(4, 0.129, 0.903, DoraLevel.MEDIUM));
    // 1200, 86400, 264600, 774600: median (86400 + 264600) / 2 = 175500 s, about 2 days: high
    assertThat(r.changeLeadTime()).isEqualTo(new DoraReport.ChangeLeadTime(4, 3, 175500.0, DoraLevel.HIGH));
    // P3, P5, P6, P10 of 7 = 57.1 %: low
    assertThat(r.changeFailRate()).isEqualTo(new DoraReport.ChangeFailRate(4, 57.1, DoraLevel.LOW));
    // 1800, 7200, 14400 and one unrecovered: median 7200 s, two hours: high
    assertThat(r.failedDeploymentRecoveryTime())
        .isEqualTo(new DoraReport.RecoveryTime(4, 3, 1, 7200.0, DoraLevel.HIGH));
    // P4 of 7 = 14.3 %, no level: the 2024 report gives none
    assertThat(r.deploymentReworkRate()).isEqualTo(new DoraReport.ReworkRate(1, 14.3, null));
  }

  @Test
  void one_production_environment_can_be_measured_alone() {
    march();

    DoraReport r = dora.report(MARCH, new MetricsFilter(null, "live-eu", null, null));

    assertThat(r.deployments()).isEqualTo(1);
    assertThat(r.changeFailRate()).isEqualTo(new DoraReport.ChangeFailRate(1, 100.0, DoraLevel.LOW));
    assertThat(r.failedDeploymentRecoveryTime().medianSeconds()).isEqualTo(14400.0);
    assertThat(r.changeLeadTime().withCommitTime()).isZero();
  }

  @Test
  void a_service_filter_keeps_its_own_failures_and_recoveries() {
    march();

    DoraReport r = dora.report(MARCH, new MetricsFilter("billing", null, null, null));

    // P5 rolled back (1800 s) and P6 caused an incident (14400 s): 2 of 2
    assertThat(r.changeFailRate().percent()).isEqualTo(100.0);
    assertThat(r.failedDeploymentRecoveryTime().medianSeconds()).isEqualTo(8100.0);
    assertThat(r.failedDeploymentRecoveryTime().level()).isEqualTo(DoraLevel.HIGH);
  }

  @Test
  void a_non_production_environment_is_refused_naming_the_production_ones() {
    assertThatThrownBy(() -> dora.report(MARCH, new MetricsFilter(null, "test", null, null)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.findings().getFirst().field()).isEqualTo("environment");
          assertThat(e.getMessage()).contains("not a production environment").contains("live-eu, production");
        });
  }

  @Test
  void over_less_than_a_day_the_deployment_frequency_is_the_count_so_far_not_stretched_to_a_day() {
    records.succeeded("shop", "production", "2026-04-01 00:10", "2026-04-01 00:20");
    records.succeeded("shop", "production", "2026-04-01 01:10", "2026-04-01 01:20");
    records.succeeded("billing", "live-eu", "2026-04-01 02:10", "2026-04-01 02:20");
    clock.set(at("2026-04-01 03:00"));

    // April under way for three hours: 3 so far, not 24 a day
    assertThat(dora.report(new Period(at("2026-04-01 00:00"), at("2026-05-01 00:00")), MetricsFilter.NONE)
        .deploymentFrequency()).isEqualTo(new DoraReport.DeploymentFrequency(3, 3.0, 21.0, DoraLevel.ELITE));
    // a whole period of six hours, long ended
    clock.set(at("2026-04-10 00:00"));
    assertThat(dora.report(new Period(at("2026-04-01 00:00"), at("2026-04-01 06:00")), MetricsFilter.NONE)
        .deploymentFrequency()).isEqualTo(new DoraReport.DeploymentFrequency(3, 3.0, 21.0, DoraLevel.ELITE));
  }

  @Test
  void no_production_deployments_give_no_rates_and_no_levels() {
    records.succeeded("shop", "test", "2026-03-07 10:00", "2026-03-07 10:10");

    DoraReport r = dora.report(MARCH, MetricsFilter.NONE);

    assertThat(r.deployments()).isZero();
    assertThat(r.deploymentFrequency()).isEqualTo(new DoraReport.DeploymentFrequency(0, 0.0, 0.0, DoraLevel.LOW));
    assertThat(r.changeLeadTime()).isEqualTo(new DoraReport.ChangeLeadTime(0, 0, null, null));
    assertThat(r.changeFailRate()).isEqualTo(new DoraReport.ChangeFailRate(0, null, null));
    assertThat(r.failedDeploymentRecoveryTime()).isEqualTo(new DoraReport.RecoveryTime(0, 0, 0, null, null));
    assertThat(r.deploymentReworkRate()).isEqualTo(new DoraReport.ReworkRate(0, null, null));
  }

  @Test
  void only_failures_rate_every_deployment_as_a_failed_change() {
    records.failed("shop", "production", "2026-03-03 10:00", "2026-03-03 10:30");
    records.failed("shop", "production", "2026-03-04 10:00", "2026-03-04 10:30");

    DoraReport r = dora.report(MARCH, MetricsFilter.NONE);

    assertThat(r.changeFailRate()).isEqualTo(new DoraReport.ChangeFailRate(2, 100.0, DoraLevel.LOW));
    assertThat(r.deploymentFrequency().succeeded()).isZero();
    // neither has been followed by a success
    assertThat(r.failedDeploymentRecoveryTime()).isEqualTo(new DoraReport.RecoveryTime(2, 0, 2, null, null));
  }

  @Test
  void a_deployment_belongs_to_the_period_in_which_it_ended() {
    // requested in February, ended 1 March 00:30: March's; requested 31 March, ended 1 April: not March's
    records.succeeded("shop", "production", "2026-02-27 10:00", "2026-03-01 00:30");
    records.succeeded("shop", "production", "2026-03-31 23:00", "2026-04-01 01:00");

    assertThat(dora.report(MARCH, MetricsFilter.NONE).deploymentFrequency().succeeded()).isEqualTo(1);
    assertThat(dora.report(new Period(at("2026-04-01 00:00"), at("2026-04-02 00:00")), MetricsFilter.NONE)
        .deploymentFrequency().succeeded()).isEqualTo(1);
  }

  @Test
  void more_than_one_success_a_day_with_a_short_lead_time_is_elite() {
    records.version("shop", "web", "2.0", Map.of());
    // version 2.0 has no commit time: lead time is request to success, 30 minutes
    for (int n = 0; n <= 31; n++) {
      String date = "2026-03-%02d".formatted(Math.max(n, 1));
      String hour = n == 0 ? "15" : "09";
      records.deployment("shop", "web", "2.0", "production", "std", "alice", date + " " + hour + ":00")
          .runTo(date + " " + hour + ":00").to("SUCCEEDED", date + " " + hour + ":30");
    }

    DoraReport r = dora.report(MARCH, MetricsFilter.NONE);

    // 32 in 31 days: 1.032 a day
    assertThat(r.deploymentFrequency()).isEqualTo(new DoraReport.DeploymentFrequency(32, 1.032, 7.226, DoraLevel.ELITE));
    assertThat(r.changeLeadTime().level()).isEqualTo(DoraLevel.ELITE);
    assertThat(r.changeFailRate()).isEqualTo(new DoraReport.ChangeFailRate(0, 0.0, DoraLevel.ELITE));
    assertThat(r.failedDeploymentRecoveryTime().level()).isNull();
  }
}
