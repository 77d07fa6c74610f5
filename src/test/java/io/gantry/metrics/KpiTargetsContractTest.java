package io.gantry.metrics;

import static io.gantry.metrics.Records.at;
import static io.gantry.metrics.Records.transactions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Judgement;
import io.gantry.capability.ReportSection;
import io.gantry.deployment.Deployments;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * KPI targets, their stored evaluations (by hand and periodic), the rate-of-change rating, the alignment survey and
 * external audit findings, over March 2026 on hand-built records, on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class KpiTargetsContractTest {

  static final Period MARCH = new Period(at("2026-03-01 00:00"), at("2026-04-01 00:00"));

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private final List<AuditFindingSource> sources = new ArrayList<>();
  private TestDatabase.Instance db;
  private Records records;
  private KpiReports kpis;
  private KpiTargets targets;
  private KpiEvaluations evaluations;

  KpiTargetsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new Records(db);
    kpis = new KpiReports(db.jdbc(), clock, () -> sources, transactions(db));
    targets = new KpiTargets(db.jdbc(), clock);
    evaluations = new KpiEvaluations(db.jdbc(), kpis, targets, db.transactions(), clock);
    records.service("shop", "team-shop").environment("production", "production").environment("test", "test")
        .model("std", "2025-01-01 00:00").component("shop", "web", "std");
  }

  /** March: in production three successes and one failure; in test one failure. */
  private List<Long> march() {
    List<Long> ids = new ArrayList<>();
    ids.add(records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00"));
    ids.add(records.succeeded("shop", "production", "2026-03-03 10:00", "2026-03-03 12:00"));
    ids.add(records.succeeded("shop", "production", "2026-03-04 10:00", "2026-03-04 13:00"));
    ids.add(records.failed("shop", "production", "2026-03-05 10:00", "2026-03-05 10:30"));
    ids.add(records.failed("shop", "test", "2026-03-06 10:00", "2026-03-06 10:30"));
    return ids;
  }

  @Test
  void a_target_with_an_unknown_kpi_or_an_impossible_value_is_refused_naming_the_field_and_nothing_is_stored() {
    assertThatThrownBy(() -> targets.set("happiness", null, null, "at-least", 3.0, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("kpi"));
    assertThatThrownBy(() -> targets.set("deployment-success-percent", null, "production", "at-least", 101.0, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("value")).hasMessageContaining("0 to 100");
    assertThatThrownBy(() -> targets.set("failures", null, null, "at-most", -1.0, "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("value");
    assertThatThrownBy(() -> targets.set("failures", null, null, "at-most", 1.5, "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("whole number");
    assertThatThrownBy(() -> targets.set("satisfaction-quality", null, null, "about", 0.0, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("comparison", "value"));
    assertThatThrownBy(() -> targets.set("failures", "nowhere", null, "at-most", 1.0, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("service"));
    assertThatThrownBy(() -> targets.set("alignment", null, "production", "at-least", 3.0, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("environment"));
    assertThat(db.count("kpi_targets")).isZero();
  }

  @Test
  void a_target_is_one_per_kpi_and_scope_replaced_when_set_again_and_removed() {
    targets.set("failures", null, "production", "at-most", 2.0, "alice");
    targets.set("failures", null, null, "at-most", 5.0, "alice");
    clock.advance(Duration.ofMinutes(1));
    KpiTarget replaced = targets.set("failures", null, "production", "AT-MOST", 1.0, "bob");

    assertThat(targets.all()).extracting(KpiTarget::scopeText, KpiTarget::value, KpiTarget::setBy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("all", 5.0, "alice"),
            org.assertj.core.groups.Tuple.tuple("environment production", 1.0, "bob"));
    assertThat(replaced.comparison()).isEqualTo("at-most");
    targets.remove("failures", null, "production");
    assertThat(targets.all()).extracting(KpiTarget::scopeText).containsExactly("all");
    assertThatThrownBy(() -> targets.remove("failures", null, "production"))
        .isInstanceOf(io.gantry.shared.NotFoundException.class);
  }

  @Test
  void an_evaluation_gives_each_target_its_verdict_from_the_figures_of_its_scope() {
    march();
    // production: 3 of 4 succeeded = 75.0 % (< 95: missed); everywhere: 2 failures (<= 2: met);
    // production's median lead time of the successes: 1, 2 and 3 hours = 2.0 h (<= 1: missed);
    // no deployment had a planned start: schedule adherence has no data
    targets.set("deployment-success-percent", null, "production", "at-least", 95.0, "alice");
    targets.set("failures", null, null, "at-most", 2.0, "alice");
    targets.set("lead-time-hours", null, "production", "at-most", 1.0, "alice");
    targets.set("schedule-adherence-percent", "shop", null, "at-least", 90.0, "alice");

    KpiEvaluation e = evaluations.evaluate(MARCH, "alice");

    assertThat(e.results()).extracting(KpiEvaluation.Result::kpi, KpiEvaluation.Result::scope,
        KpiEvaluation.Result::figure, KpiEvaluation.Result::verdict).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("deployment-success-percent", "environment production", 75.0, "missed"),
        org.assertj.core.groups.Tuple.tuple("failures", "all", 2.0, "met"),
        org.assertj.core.groups.Tuple.tuple("lead-time-hours", "environment production", 2.0, "missed"),
        org.assertj.core.groups.Tuple.tuple("schedule-adherence-percent", "service shop", null, "no-data"));
    assertThat(e.missed()).hasSize(2);
    assertThat(e.reports()).hasSize(3);
    assertThat(e).extracting(KpiEvaluation::author, KpiEvaluation::from, KpiEvaluation::to, KpiEvaluation::periodic)
        .containsExactly("alice", MARCH.from(), MARCH.to(), false);
    assertThat(evaluations.list(null, null)).extracting(KpiEvaluation::id).containsExactly(e.id());
  }

  @Test
  void an_evaluation_with_no_target_set_is_refused() {
    assertThatThrownBy(() -> evaluations.evaluate(MARCH, "alice")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("no KPI target");
    assertThat(db.count("kpi_evaluations")).isZero();
  }

  @Test
  void a_stored_evaluation_is_not_changed_by_later_records_or_targets() {
    march();
    targets.set("deployment-success-percent", null, "production", "at-least", 70.0, "alice");
    KpiEvaluation before = evaluations.evaluate(MARCH, "alice");
    assertThat(before.results().getFirst().verdict()).isEqualTo("met");

    // two more failures in March and a stricter target: a new evaluation sees them, the stored one does not
    records.failed("shop", "production", "2026-03-20 10:00", "2026-03-20 10:30");
    records.failed("shop", "production", "2026-03-21 10:00", "2026-03-21 10:30");
    targets.set("deployment-success-percent", null, "production", "at-least", 99.0, "bob");
    clock.advance(Duration.ofHours(1));
    KpiEvaluation after = evaluations.evaluate(MARCH, "bob");

    assertThat(evaluations.get(before.id())).isEqualTo(before);
    assertThat(after.results().getFirst()).extracting(KpiEvaluation.Result::figure, KpiEvaluation.Result::target,
        KpiEvaluation.Result::verdict).containsExactly(50.0, 99.0, "missed");
  }

  @Test
  void the_periodic_evaluation_stores_one_evaluation_per_elapsed_period_once_even_with_two_servers() {
    march();
    targets.set("failures", null, "production", "at-most", 0.0, "alice");
    PeriodicKpiEvaluation one = new PeriodicKpiEvaluation(evaluations, targets, clock, "P1M");
    PeriodicKpiEvaluation two = new PeriodicKpiEvaluation(
        new KpiEvaluations(db.jdbc(), kpis, targets, db.transactions(), clock), targets, clock, "P1M");

    // 10 April: March has ended, April has not
    assertThat(one.runDue()).extracting(KpiEvaluation::from, KpiEvaluation::to, KpiEvaluation::author)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(MARCH.from(), MARCH.to(), "gantry"));
    assertThat(one.runDue()).isEmpty();
    assertThat(two.runDue()).isEmpty();
    clock.set(at("2026-04-30 23:59"));
    assertThat(two.runDue()).isEmpty();

    clock.set(at("2026-05-01 00:01"));
    assertThat(two.runDue()).extracting(KpiEvaluation::from).containsExactly(at("2026-04-01 00:00"));
    assertThat(one.runDue()).isEmpty();
    assertThat(evaluations.list(null, null)).extracting(KpiEvaluation::periodic).containsExactly(true, true);
    assertThat(evaluations.list(null, null).getLast().results().getFirst())
        .extracting(KpiEvaluation.Result::figure, KpiEvaluation.Result::verdict).containsExactly(1.0, "missed");
  }

  @Test
  void the_periodic_evaluation_catches_up_with_the_periods_that_ended_while_no_server_ran() {
    targets.set("failures", null, null, "at-most", 0.0, "alice");
    PeriodicKpiEvaluation weekly = new PeriodicKpiEvaluation(evaluations, targets, clock, "P7D");
    assertThat(weekly.runDue()).hasSize(1);
    clock.advance(Duration.ofDays(21));

    assertThat(weekly.runDue()).hasSize(3);
    List<KpiEvaluation> all = evaluations.list(null, null);
    for (int i = 0; i + 1 < all.size(); i++) {
      assertThat(all.get(i).from()).isEqualTo(all.get(i + 1).to());
      assertThat(Duration.between(all.get(i).from(), all.get(i).to())).isEqualTo(Duration.ofDays(7));
    }
  }

  @Test
  void a_bad_evaluation_period_setting_is_refused_naming_the_setting() {
    for (String bad : List.of("monthly", "P0M", "P13M", "400d", "PT5H", "P1M2D")) {
      assertThatThrownBy(() -> new PeriodicKpiEvaluation(evaluations, targets, clock, bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gantry.kpi.evaluation.every=" + bad);
    }
    assertThat(new PeriodicKpiEvaluation(evaluations, targets, clock, "").runDue()).isEmpty();
    assertThat(EvaluationEvery.parse("s", "P3M").spanStart(at("2026-05-20 10:00"))).isEqualTo(at("2026-04-01 00:00"));
    assertThat(EvaluationEvery.parse("s", "30d").id()).isEqualTo("P30D");
  }

  @Test
  void the_rate_of_change_rating_and_the_alignment_survey_are_averaged_in_the_kpi_report() {
    List<Long> ids = march();
    Ratings ratings = new Ratings(db.jdbc(), new Deployments(db.jdbc()), clock);
    ratings.rate(ids.get(0), 4, 4, 2, null, "alice");
    ratings.rate(ids.get(1), 4, 4, 5, null, "alice");
    ratings.rate(ids.get(2), 4, 4, null, null, "alice");
    assertThatThrownBy(() -> ratings.rate(ids.get(3), 4, 4, 6, null, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("rateOfChange"));

    AlignmentSurvey survey = new AlignmentSurvey(db.jdbc(), clock);
    survey.answer("2026-03", 1, 1, 1, null, "carol");
    survey.answer("2026-03", 5, 4, 3, "better", "carol");
    survey.answer("2026-03", 2, 3, 4, null, "dave");
    survey.answer("2026-04", 1, 1, 1, null, "dave");
    assertThatThrownBy(() -> survey.answer("2026-05", 3, 3, 3, null, "dave")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not started");
    assertThatThrownBy(() -> survey.answer("March", 3, 0, 3, null, "dave"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("period", "needsMet"));

    KpiReport r = kpis.report(MARCH, MetricsFilter.NONE, null);
    // rate of change: (2 + 5) / 2 = 3.5 over the 2 ratings that answered it, of 3
    assertThat(r.satisfaction()).extracting(KpiReport.Satisfaction::ratings,
        KpiReport.Satisfaction::rateOfChangeRatings, KpiReport.Satisfaction::rateOfChangeAverage)
        .containsExactly(3L, 2L, 3.5);
    // carol's replaced answer 5, 4, 3 and dave's 2, 3, 4: every score averages (12 + 9) / 6 = 3.5
    assertThat(r.alignment()).isEqualTo(new KpiReport.Alignment(true, 2, 3.5,
        Map.of("informed", 3.5, "needsMet", 3.5, "paceFits", 3.5)));
    assertThat(kpis.report(MARCH, new MetricsFilter("shop", null, null, null), null).alignment().asked()).isFalse();
    assertThat(Kpi.ALIGNMENT.figure(r)).isEqualTo(3.5);
    assertThat(Kpi.SATISFACTION_RATE_OF_CHANGE.figure(r)).isEqualTo(3.5);
  }

  @Test
  void external_audit_findings_are_counted_beside_the_internal_ones() {
    sources.add((period, filter) -> List.of(new AuditFinding("freeze-override", "deployment #1", "overrode a freeze",
        at("2026-03-10 10:00"), 1L, "shop", "production")));
    ExternalFindings external = new ExternalFindings(db.jdbc(), clock);
    external.add(new ExternalFindings.Input("external audit 2026 Q1", "high", "no rollback test for shop",
        "2026-03-20", null, "shop", "production"), "auditor");
    external.add(new ExternalFindings.Input("external audit 2026 Q1", "low", "runbook out of date", "2026-04-02",
        "closed", null, null), "auditor");
    assertThatThrownBy(() -> external.add(new ExternalFindings.Input("", "severe", "x", "2026-13-01", "done", null,
        null), "auditor")).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
        .extracting(Finding::field).containsExactly("source", "severity", "state", "foundOn"));

    KpiReport.AuditFindings march = kpis.report(MARCH, MetricsFilter.NONE, null).auditFindings();

    assertThat(march.count()).isEqualTo(2);
    assertThat(march.byOrigin()).containsExactlyInAnyOrderEntriesOf(Map.of("internal", 1L, "external", 1L));
    assertThat(march.byKind()).containsExactlyInAnyOrderEntriesOf(Map.of("freeze-override", 1L, "external-audit", 1L));
    assertThat(march.findings()).extracting(AuditFinding::kind).containsExactly("freeze-override", "external-audit");
    assertThat(kpis.report(MARCH, new MetricsFilter(null, "test", null, null), null).auditFindings().byOrigin())
        .containsEntry("external", 0L);
    ExternalFinding closed = external.setState(external.list(new Period(at("2026-04-01 00:00"),
        at("2026-04-05 00:00"))).getFirst().id(), "accepted");
    assertThat(closed.state()).isEqualTo("accepted");
  }

  @Test
  void monitoring_is_met_when_evaluations_cover_the_period_with_production_targets_and_the_report_shows_the_latest() {
    march();
    KpiMonitoringEvidence evidence = new KpiMonitoringEvidence(evaluations, db.jdbc());
    KpiTargetsSection section = new KpiTargetsSection(evaluations);
    AssessmentPeriod march = new AssessmentPeriod(MARCH.from(), MARCH.to());
    AssessmentPeriod spring = new AssessmentPeriod(MARCH.from(), at("2026-05-01 00:00"));
    assertThat(evidence.evidence(Criterion.APPROACH_MONITORED, march).judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(section.tables(march)).isEmpty();

    targets.set("failures", null, null, "at-most", 5.0, "alice");
    evaluations.evaluate(MARCH, "alice");
    assertThat(evidence.evidence(Criterion.APPROACH_MONITORED, march).judgement()).isEqualTo(Judgement.PARTLY_MET);

    targets.set("deployment-success-percent", null, "production", "at-least", 95.0, "alice");
    clock.advance(Duration.ofMinutes(5));
    long latest = evaluations.evaluate(MARCH, "alice").id();
    assertThat(evidence.evidence(Criterion.APPROACH_MONITORED, march).judgement()).isEqualTo(Judgement.MET);
    assertThat(evidence.evidence(Criterion.APPROACH_MONITORED, spring).judgement()).isEqualTo(Judgement.PARTLY_MET);

    List<ReportSection.Table> tables = section.tables(march);
    assertThat(tables).singleElement().satisfies(t -> {
      assertThat(t.caption()).contains("#" + latest);
      assertThat(t.rows()).containsExactlyInAnyOrder(List.of("failures", "all", "<= 5", "2", "met"),
          List.of("deployment-success-percent", "environment production", ">= 95", "75", "missed"));
    });
  }
}
