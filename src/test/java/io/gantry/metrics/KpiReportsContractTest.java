package io.gantry.metrics;

import static io.gantry.metrics.Records.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import static io.gantry.metrics.Records.transactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The practice KPIs over March 2026 on a small record set whose every figure is worked out by hand
 * in the comments, on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class KpiReportsContractTest {

  static final Period MARCH = new Period(at("2026-03-01 00:00"), at("2026-04-01 00:00"));

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private final List<AuditFindingSource> sources = new ArrayList<>();
  private Records records;
  private KpiReports kpis;

  KpiReportsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    records = new Records(db);
    kpis = new KpiReports(db.jdbc(), clock, () -> sources, transactions(db));
    records.service("shop", "team-shop").service("billing", "team-money")
        .environment("production", "production").environment("test", "test")
        .model("std", "2025-01-01 00:00", "2026-03-15 10:00").model("quick", "2025-01-01 00:00")
        .component("shop", "web", "std").component("billing", "web", null)
        .version("shop", "web", "1.0", Map.of("commitTime", "2026-02-27T09:00:00Z"))
        .version("billing", "web", "1.0", Map.of());
  }

  /** The March record set; the numbers in the comments are what each deployment contributes. */
  private void march() {
    // #1 shop production: lead 3600 s, rated 4/5 "quick"; commit to production 3 d 2 h = 266400 s (no 29 February)
    long d1 = records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");
    // #2 shop production: failed
    records.failed("shop", "production", "2026-03-03 10:00", "2026-03-03 10:30");
    // #3 shop test: planned 09:00, started 09:00 (on time), lead 1200 s, rated 2/3 without comment
    long d3 = records.deployment("shop", "web", "1.0", "test", "std", "alice", "2026-03-04 09:00")
        .planned("2026-03-04 09:00").runTo("2026-03-04 09:00").to("VERIFYING", "2026-03-04 09:20")
        .to("SUCCEEDED", "2026-03-04 09:20").id;
    // #4 billing production: planned 08:00, waited for the lock, started 08:30 (30 min late), lead 7200 s
    records.deployment("billing", "web", "1.0", "production", "std", "bob", "2026-03-05 08:00")
        .planned("2026-03-05 08:00").waitFor(WaitKind.LOCK, "2026-03-05 08:00").runTo("2026-03-05 08:30")
        .to("VERIFYING", "2026-03-05 09:50").to("SUCCEEDED", "2026-03-05 10:00");
    // #5 shop production: rolled back
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-06 12:00")
        .runTo("2026-03-06 12:00").to("ROLLING_BACK", "2026-03-06 12:10").to("ROLLED_BACK", "2026-03-06 12:20");
    // #6 shop test: cancelled before it started
    records.deployment("shop", "web", "1.0", "test", "std", "alice", "2026-03-07 10:00")
        .to("CANCELLED", "2026-03-07 10:05");
    // #7 shop production: requested in February, ended in March: belongs to March; lead 1 d 14.5 h = 138600 s;
    //    commit to production 1 d 15.5 h = 142200 s
    records.succeeded("shop", "production", "2026-02-27 10:00", "2026-03-01 00:30");
    // #8 shop production: requested in March, ended in April: not in March's ended deployments; rated (April)
    long d8 = records.succeeded("shop", "production", "2026-03-31 23:00", "2026-04-01 01:00");
    // #9 shop production: requested 30 March 12:00, still planned: the queue, 10 d 12 h = 907200 s old
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-30 12:00")
        .to("PLANNED", "2026-03-30 12:00");
    // #10 shop test: model version 1 after version 2 came out on 15 March: not the agreed approach; lead 600 s
    records.succeeded("shop", "test", "2026-03-20 10:00", "2026-03-20 10:10");
    // #11 shop test: through model "quick" while shop/web declares "std": not the agreed approach; lead 300 s
    records.deployment("shop", "web", "1.0", "test", "quick", "alice", "2026-03-21 10:00").runTo("2026-03-21 10:00")
        .to("VERIFYING", "2026-03-21 10:05").to("SUCCEEDED", "2026-03-21 10:05");

    records.rating(d1, 4, 5, "quick", "2026-03-03 00:00");
    records.rating(d3, 2, 3, null, "2026-03-05 00:00");
    records.rating(d8, 1, 1, "late", "2026-04-02 00:00");
    records.incident("shop", "production", 1, "2026-03-02 12:00", "2026-03-02 13:00", d1);
    records.incident("shop", "production", 3, "2026-03-10 00:00", null, null);
    records.incident("billing", "production", 2, "2026-02-20 00:00", null, null); // detected in February
  }

  @Test
  void without_a_production_environment_the_report_has_no_commit_to_production_figures() {
    TestDatabase.Instance db = database.create();
    Records none = new Records(db);
    KpiReports report = new KpiReports(db.jdbc(), clock, () -> sources, transactions(db));
    none.service("shop", "team-shop").environment("test", "test").model("std", "2025-01-01 00:00")
        .component("shop", "web", "std").version("shop", "web", "1.0", Map.of("commitTime", "2026-02-27T09:00:00Z"));
    none.succeeded("shop", "test", "2026-03-02 10:00", "2026-03-02 11:00");

    KpiReport r = report.report(MARCH, MetricsFilter.NONE, null);

    assertThat(r.deployments().ended()).isEqualTo(1);
    assertThat(r.leadTime().withCommitTime()).isZero();
    assertThat(r.leadTime().commitToProductionMedianSeconds()).isNull();
  }

  @Test
  void every_measure_of_march_is_computed_from_the_records() {
    march();

    KpiReport r = kpis.report(MARCH, MetricsFilter.NONE, null);

    // ended in March: #1-#7, #10, #11 = 9; succeeded #1 #3 #4 #7 #10 #11; 6 of the 8 that ran = 75.0 %
    assertThat(r.deployments()).isEqualTo(new KpiReport.Deployments(9, 6, 1, 1, 1, 75.0, 2));
    assertThat(r.period().partial()).isFalse();
    assertThat(r.period().elapsedDays()).isEqualTo(31.0);
    // #3 on time, #4 30 minutes late: 1 of 2; median deviation (0 + 1800) / 2
    assertThat(r.scheduleAdherence()).isEqualTo(new KpiReport.ScheduleAdherence(15, 2, 1, 50.0, 900.0));
    // requested in March: all but #7 = 10 (10/31 = 0.32 a day); completed 9 (0.29 a day); queue: #9 only
    assertThat(r.backlog()).isEqualTo(new KpiReport.Backlog(10, 9, 0.32, 0.29, 1, 907200.0, 907200.0));
    // request to success: 300, 600, 1200, 3600, 7200, 138600: median (1200 + 3600) / 2, mean 151500 / 6;
    // commit to production: #1 266400 and #7 142200 (billing's version has no commit time)
    assertThat(r.leadTime()).isEqualTo(new KpiReport.LeadTime(6, 2400.0, 25250.0, 2, 204300.0, 204300.0));
    // detected in March: two, one linked to #1, one unresolved
    assertThat(r.incidents()).isEqualTo(new KpiReport.Incidents(2, 1, 50.0, 1, Map.of("critical", 1L, "medium", 1L)));
    // #1 (4, 5) and #3 (2, 3); #8 ended in April
    assertThat(r.satisfaction().ratings()).isEqualTo(2);
    assertThat(r.satisfaction().leadTimeAverage()).isEqualTo(3.0);
    assertThat(r.satisfaction().qualityAverage()).isEqualTo(4.0);
    assertThat(r.satisfaction().comments()).extracting(KpiReport.Comment::comment).containsExactly("quick");
    // #10 and #11 did not go through the agreed approach: 7 of 9
    assertThat(r.adoption()).isEqualTo(new KpiReport.Adoption(9, 7, 77.8));
    assertThat(r.auditFindings().available()).isFalse();
  }

  @Test
  void filters_narrow_every_measure_to_a_service_a_team_an_environment_or_a_model() {
    march();

    KpiReport billing = kpis.report(MARCH, new MetricsFilter("billing", null, null, null), null);
    assertThat(billing.deployments()).isEqualTo(new KpiReport.Deployments(1, 1, 0, 0, 0, 100.0, 0));
    assertThat(billing.incidents().total()).isZero();
    assertThat(billing.leadTime().requestToSuccessMedianSeconds()).isEqualTo(7200.0);
    assertThat(kpis.report(MARCH, new MetricsFilter(null, null, null, "team-money"), null).deployments())
        .isEqualTo(billing.deployments());

    KpiReport test = kpis.report(MARCH, new MetricsFilter(null, "test", null, null), null);
    // #3, #6 (cancelled), #10, #11
    assertThat(test.deployments()).isEqualTo(new KpiReport.Deployments(4, 3, 0, 0, 1, 100.0, 0));
    assertThat(test.leadTime().withCommitTime()).isZero();

    KpiReport quick = kpis.report(MARCH, new MetricsFilter(null, null, "quick", null), null);
    assertThat(quick.deployments().ended()).isEqualTo(1);
    assertThat(quick.adoption()).isEqualTo(new KpiReport.Adoption(1, 0, 0.0));
  }

  @Test
  void a_wider_tolerance_counts_the_late_start_as_on_time() {
    march();

    assertThat(kpis.report(MARCH, MetricsFilter.NONE, Duration.ofMinutes(30)).scheduleAdherence().percent())
        .isEqualTo(100.0);
    assertThatThrownBy(() -> kpis.report(MARCH, MetricsFilter.NONE, Duration.ofMinutes(-1)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tolerance");
  }

  @Test
  void a_period_without_deployments_has_zero_counts_and_no_rates() {
    KpiReport r = kpis.report(MARCH, MetricsFilter.NONE, null);

    assertThat(r.deployments()).isEqualTo(new KpiReport.Deployments(0, 0, 0, 0, 0, null, 0));
    assertThat(r.scheduleAdherence().percent()).isNull();
    assertThat(r.leadTime()).isEqualTo(new KpiReport.LeadTime(0, null, null, 0, null, null));
    assertThat(r.backlog()).isEqualTo(new KpiReport.Backlog(0, 0, 0.0, 0.0, 0, null, null));
    assertThat(r.incidents().relatedPercent()).isNull();
    assertThat(r.satisfaction()).isEqualTo(new KpiReport.Satisfaction(0, null, null, 0, null, List.of()));
    assertThat(r.adoption()).isEqualTo(new KpiReport.Adoption(0, 0, null));
  }

  @Test
  void only_failures_give_a_zero_success_rate_and_no_lead_time() {
    records.failed("shop", "production", "2026-03-03 10:00", "2026-03-03 10:30");
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-06 12:00")
        .runTo("2026-03-06 12:00").to("ROLLING_BACK", "2026-03-06 12:10").to("ROLLED_BACK", "2026-03-06 12:20");

    KpiReport r = kpis.report(MARCH, MetricsFilter.NONE, null);

    assertThat(r.deployments()).isEqualTo(new KpiReport.Deployments(2, 0, 1, 1, 0, 0.0, 2));
    assertThat(r.leadTime().requestToSuccessMedianSeconds()).isNull();
  }

  @Test
  void in_the_first_hours_of_a_period_a_rate_per_day_is_the_count_so_far() {
    records.succeeded("shop", "production", "2026-04-01 00:10", "2026-04-01 00:20");
    records.succeeded("shop", "production", "2026-04-01 01:10", "2026-04-01 01:20");
    clock.set(at("2026-04-01 02:00"));

    KpiReport r = kpis.report(new Period(at("2026-04-01 00:00"), at("2026-05-01 00:00")), MetricsFilter.NONE, null);

    assertThat(r.period().elapsedDays()).isEqualTo(0.083);
    assertThat(r.backlog().requestedPerDay()).isEqualTo(2.0);
    assertThat(r.backlog().completedPerDay()).isEqualTo(2.0);
  }

  @Test
  void a_period_still_running_is_measured_over_the_days_that_have_passed() {
    clock.set(at("2026-03-11 00:00"));
    records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");

    KpiReport r = kpis.report(MARCH, MetricsFilter.NONE, null);

    assertThat(r.period().partial()).isTrue();
    assertThat(r.period().elapsedDays()).isEqualTo(10.0);
    assertThat(r.backlog().completedPerDay()).isEqualTo(0.1);
  }

  @Test
  void an_unreadable_commit_time_counts_as_unknown() {
    records.version("shop", "web", "2.0", Map.of("commitTime", "last tuesday"));
    records.deployment("shop", "web", "2.0", "production", "std", "alice", "2026-03-02 10:00")
        .runTo("2026-03-02 10:00").to("SUCCEEDED", "2026-03-02 11:00");

    KpiReport r = kpis.report(MARCH, MetricsFilter.NONE, null);

    assertThat(r.leadTime().succeeded()).isEqualTo(1);
    assertThat(r.leadTime().withCommitTime()).isZero();
  }

  @Test
  void audit_findings_come_from_the_sources_wired_in() {
    sources.add((period, filter) -> List.of(
        new AuditFinding("freeze-override", "deployment #3", "deployed during the freeze", at("2026-03-04 09:00"), 3L,
            "shop", "production"),
        new AuditFinding("emergency-without-review", "change CHG-7", "no review after 5 days",
            at("2026-03-02 09:00"), null, "shop", null),
        new AuditFinding("freeze-override", "deployment #9", "deployed during the freeze", at("2026-03-09 09:00"), 9L,
            "shop", "production")));

    KpiReport.AuditFindings findings = kpis.report(MARCH, MetricsFilter.NONE, null).auditFindings();

    assertThat(findings.available()).isTrue();
    assertThat(findings.count()).isEqualTo(3);
    assertThat(findings.byKind()).isEqualTo(Map.of("emergency-without-review", 1L, "freeze-override", 2L));
    assertThat(findings.findings()).extracting(AuditFinding::subject)
        .containsExactly("change CHG-7", "deployment #3", "deployment #9");
  }

  @Test
  void unknown_filter_values_are_refused_naming_each() {
    assertThatThrownBy(() -> kpis.report(MARCH, new MetricsFilter("nope", "mars", "none", "nobody"), null))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(f -> f.field()).containsExactly("service", "environment", "model", "team"));
  }

  @Test
  void a_name_gone_from_the_configuration_but_in_the_records_is_still_a_filter() {
    records.deployment("legacy", "web", "1.0", "production", "std", "alice", "2026-03-02 10:00")
        .runTo("2026-03-02 10:00").to("SUCCEEDED", "2026-03-02 11:00");

    assertThat(kpis.report(MARCH, new MetricsFilter("legacy", null, null, null), null).deployments().succeeded())
        .isEqualTo(1);
  }
}
