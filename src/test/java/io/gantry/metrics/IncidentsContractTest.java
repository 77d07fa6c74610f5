package io.gantry.metrics;

import static io.gantry.metrics.Records.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.deployment.Deployments;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.PageRequest;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Reporting, linking, resolving and remediating incidents, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class IncidentsContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private TestDatabase.Instance db;
  private Records records;
  private Incidents incidents;

  IncidentsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new Records(db);
    incidents = new Incidents(db.jdbc(), new Deployments(db.jdbc()), db.transactions(), clock);
    records.service("shop", "team-shop").service("billing", "team-money").environment("production", "production")
        .environment("live-eu", "production").environment("test", "test");
  }

  private Incidents.Report report(String environment, String detected, Long deployment) {
    return new Incidents.Report("shop", environment, "high", "checkout fails", "INC-1", at(detected), null,
        deployment);
  }

  @Test
  void an_incident_is_linked_by_rule_to_the_latest_success_into_its_production_environment_before_detection() {
    long earlier = records.succeeded("shop", "production", "2026-03-01 10:00", "2026-03-01 11:00");
    long latest = records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");
    records.failed("shop", "production", "2026-03-02 12:00", "2026-03-02 12:30"); // failed: not a cause by rule
    records.succeeded("billing", "production", "2026-03-02 13:00", "2026-03-02 13:30"); // another service
    records.succeeded("shop", "live-eu", "2026-03-02 14:00", "2026-03-02 14:30"); // another environment
    records.succeeded("shop", "production", "2026-03-02 16:00", "2026-03-02 17:00"); // ended after detection

    Incident i = incidents.report(report("production", "2026-03-02 15:00", null), "desk");

    assertThat(i.deployment()).isEqualTo(latest).isNotEqualTo(earlier);
    assertThat(i.linkedBy()).isEqualTo(Incident.Link.RULE);
    assertThat(i.severity()).isEqualTo(Severity.HIGH);
    assertThat(i.reportedBy()).isEqualTo("desk");
    assertThat(i.resolvedAt()).isNull();
  }

  @Test
  void an_incident_with_no_prior_deployment_or_outside_production_is_unlinked() {
    records.succeeded("shop", "test", "2026-03-01 10:00", "2026-03-01 11:00");
    records.succeeded("shop", "production", "2026-03-05 10:00", "2026-03-05 11:00");

    Incident before = incidents.report(report("production", "2026-03-02 15:00", null), "desk");
    Incident inTest = incidents.report(report("test", "2026-03-02 15:00", null), "desk");

    assertThat(before.deployment()).isNull();
    assertThat(before.linkedBy()).isEqualTo(Incident.Link.NONE);
    assertThat(inTest.deployment()).isNull();
  }

  @Test
  void a_named_deployment_is_the_cause_even_where_the_rule_would_find_another() {
    long named = records.failed("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");
    records.succeeded("shop", "production", "2026-03-02 12:00", "2026-03-02 12:30");

    Incident i = incidents.report(report("production", "2026-03-02 15:00", named), "desk");

    assertThat(i.deployment()).isEqualTo(named);
    assertThat(i.linkedBy()).isEqualTo(Incident.Link.EXPLICIT);
  }

  @Test
  void an_incident_resolved_before_it_was_detected_is_refused_and_nothing_is_recorded() {
    Incidents.Report backwards = new Incidents.Report("shop", "production", "1", "down", null,
        at("2026-03-02 15:00"), at("2026-03-02 14:00"), null);

    assertThatThrownBy(() -> incidents.report(backwards, "desk"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.findings()).extracting(Finding::field).containsExactly("resolvedAt");
          assertThat(e.getMessage()).contains("before it was detected");
        });
    assertThat(db.count("incidents")).isZero();
  }

  @Test
  void every_problem_of_a_report_is_named_at_once() {
    Incidents.Report bad = new Incidents.Report("nope", "mars", "urgent", " ", null, null, null, 999L);

    assertThatThrownBy(() -> incidents.report(bad, "desk"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("service", "environment", "severity", "title", "detectedAt", "deployment"));
    assertThat(db.count("incidents")).isZero();
  }

  @Test
  void a_detection_in_the_future_and_a_cause_requested_after_detection_are_refused() {
    long late = records.succeeded("shop", "production", "2026-03-03 10:00", "2026-03-03 11:00");

    assertThatThrownBy(() -> incidents.report(report("production", "2026-04-11 00:00", null), "desk"))
        .hasMessageContaining("in the future");
    assertThatThrownBy(() -> incidents.report(report("production", "2026-03-02 15:00", late), "desk"))
        .hasMessageContaining("cannot have caused it");
    assertThat(db.count("incidents")).isZero();
  }

  @Test
  void an_incident_is_resolved_once_and_not_before_it_was_detected() {
    long id = incidents.report(report("production", "2026-03-02 15:00", null), "desk").id();

    assertThatThrownBy(() -> incidents.resolve(id, at("2026-03-02 14:59"), "ops"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("before the incident was detected");
    assertThat(incidents.get(id).resolvedAt()).isNull();

    Incident resolved = incidents.resolve(id, at("2026-03-02 16:00"), "ops");
    assertThat(resolved.resolvedAt()).isEqualTo(at("2026-03-02 16:00"));
    assertThat(resolved.resolvedBy()).isEqualTo("ops");

    assertThatThrownBy(() -> incidents.resolve(id, null, "ops")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("already resolved");
    assertThatThrownBy(() -> incidents.resolve(9999, null, "ops")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void a_resolution_without_a_time_is_now() {
    long id = incidents.report(report("production", "2026-03-02 15:00", null), "desk").id();

    assertThat(incidents.resolve(id, null, "ops").resolvedAt()).isEqualTo(Instant.parse("2026-04-10T00:00:00Z"));
  }

  @Test
  void a_fix_deployment_is_marked_as_remediation_once() {
    long cause = records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");
    long id = incidents.report(report("production", "2026-03-02 15:00", null), "desk").id();
    long fix = records.succeeded("shop", "production", "2026-03-02 16:00", "2026-03-02 16:30");
    long old = records.succeeded("shop", "test", "2026-03-01 16:00", "2026-03-01 16:30");

    assertThat(incidents.remediate(id, fix, "ops").remediations()).containsExactly(fix);
    assertThatThrownBy(() -> incidents.remediate(id, fix, "ops")).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> incidents.remediate(id, cause, "ops")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cannot also be its remediation");
    assertThatThrownBy(() -> incidents.remediate(id, old, "ops")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("before the incident was detected");
    assertThatThrownBy(() -> incidents.remediate(id, 9999L, "ops")).isInstanceOf(NotFoundException.class);
    assertThat(db.count("incident_remediations")).isEqualTo(1);
  }

  @Test
  void incidents_are_listed_latest_first_and_by_whether_they_are_open() {
    long first = incidents.report(report("production", "2026-03-01 15:00", null), "desk").id();
    long second = incidents.report(report("live-eu", "2026-03-02 15:00", null), "desk").id();
    incidents.resolve(first, null, "ops");

    assertThat(incidents.page(new Incidents.Filter(null, null, null), PageRequest.all()).items())
        .extracting(Incident::id).containsExactly(second, first);
    assertThat(incidents.page(new Incidents.Filter(null, null, true), PageRequest.all()).items())
        .extracting(Incident::id).containsExactly(second);
    assertThat(incidents.page(new Incidents.Filter("shop", "production", null), PageRequest.all()).items())
        .extracting(Incident::id).containsExactly(first);
  }

  @Test
  void severities_are_numbers_or_names() {
    assertThat(Severity.parse("1")).isEqualTo(Severity.CRITICAL);
    assertThat(Severity.parse("Low")).isEqualTo(Severity.LOW);
    assertThat(Severity.parse("3").id()).isEqualTo("medium");
    assertThatThrownBy(() -> Severity.parse("5")).hasMessageContaining("not 1 (critical) to 4 (low)");
    assertThatThrownBy(() -> Severity.parse("urgent")).hasMessageContaining("not a severity");
  }
}
