package io.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Windows, freezes, emergency exemptions, window expiry and conflicts, driven through the engine with
 * a settable clock, on H2 and PostgreSQL. Monday 2 March 2026 12:00 UTC is "now"; the live stage's
 * window is Tuesdays 20:00-22:00 Europe/London (GMT then), so 3 March 20:00-22:00 UTC.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ScheduleContractTest {

  static final Instant MONDAY_NOON = Instant.parse("2026-03-02T12:00:00Z");
  static final Instant WINDOW_OPENS = Instant.parse("2026-03-03T20:00:00Z");

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(MONDAY_NOON);
  private TestDatabase.Instance db;
  private ScheduleFixture fx;

  @TempDir
  Path home;

  ScheduleContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    fx = new ScheduleFixture(db, clock, home, "0s");
    fx.apply(ScheduleFixture.CONFIG);
    fx.push("shop/db", "1.2.0");
    fx.push("shop/db", "2.0.0");
    fx.push("shop/web", "1.0.0");
    fx.push("billing/api", "1.0.0");
  }

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  private List<Conflict> conflicts(Deployment d, Conflict.Kind kind) {
    return fx.conflicts.of(d.id()).stream().filter(c -> c.kind() == kind).toList();
  }

  // --- windows

  @Test
  void a_deployment_outside_its_stage_s_window_waits_for_the_next_opening_and_runs_once_it_opens() {
    Deployment d = fx.request("shop/db", "1.2.0", "live");

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    DeploymentEvent wait = fx.lastWait(d);
    assertThat(wait.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.WINDOW);
    assertThat(wait.message()).isEqualTo("waiting for the window tue 20:00-22:00 Europe/London of stage live, "
        + "opening at 2026-03-03T20:00:00Z");

    clock.set(WINDOW_OPENS.minusSeconds(1));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    clock.set(WINDOW_OPENS);
    assertThat(fx.run(d).state()).as(fx.deployments.get(d.id()).outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fx.events(d, DeploymentEvent.Kind.WAIT)).hasSize(1);
  }

  @Test
  void the_gate_says_when_to_look_again_the_next_opening() {
    Deployment d = fx.request("shop/db", "1.2.0", "live");
    var stage = fx.models.version("software", 1);

    var verdict = fx.gate.check(d, io.gantry.model.ModelDocuments.parse("software", stage.text()).spec().stages()
        .get(1), MONDAY_NOON);

    assertThat(verdict).isInstanceOfSatisfying(io.gantry.deployment.DeploymentGate.Verdict.Wait.class,
        w -> assertThat(w.lookAgainAt()).isEqualTo(WINDOW_OPENS));
  }

  @Test
  void a_deployment_planned_for_later_waits_for_its_planned_start_and_then_runs() {
    Deployment d = fx.request("shop/db", "1.2.0", "qa", at("2026-03-02T14:00:00Z"), at("2026-03-02T15:00:00Z"), 0);

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    clock.set(at("2026-03-02T13:59:59Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);

    clock.set(at("2026-03-02T14:00:00Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_deployment_planned_into_a_window_runs_at_its_planned_start() {
    Deployment d = fx.request("shop/db", "1.2.0", "live", at("2026-03-03T20:30:00Z"), null, null);

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    clock.set(at("2026-03-03T20:30:00Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fx.events(d, DeploymentEvent.Kind.WAIT)).as("it never waited for its window").isEmpty();
  }

  @Test
  void a_deployment_that_misses_the_window_it_was_planned_for_fails_saying_which() {
    fx.freeze("maintenance", "live", null, "once", "2026-03-03T19:00:00Z", "2026-03-03T23:00:00Z", null, null);
    Deployment d = fx.request("shop/db", "1.2.0", "live");
    fx.run(d);

    clock.set(at("2026-03-03T21:00:00Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(fx.lastWait(d).message()).contains("the end of freeze #1 \"maintenance\"");

    clock.set(at("2026-03-03T23:00:00Z"));
    Deployment failed = fx.run(d);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).isEqualTo("missed its window: it was planned for the window tue 20:00-22:00 "
        + "Europe/London from 2026-03-03T20:00:00Z to 2026-03-03T22:00:00Z and had not started by "
        + "2026-03-03T23:00:00Z (gantry.schedule.window-expiry=0s); request it again for a later window");
  }

  @Test
  void with_no_window_expiry_a_deployment_that_missed_its_window_waits_for_the_next_one() {
    ScheduleFixture patient = new ScheduleFixture(db, clock, home, "none");
    patient.freeze("maintenance", "live", null, "once", "2026-03-03T19:00:00Z", "2026-03-03T23:00:00Z", null, null);
    Deployment d = patient.request("shop/db", "1.2.0", "live");

    clock.set(at("2026-03-03T23:00:00Z"));
    assertThat(patient.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(patient.lastWait(d).message()).endsWith("opening at 2026-03-10T20:00:00Z");
    clock.set(at("2026-03-10T20:00:00Z"));
    assertThat(patient.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_window_expiry_grace_lets_a_deployment_that_missed_its_window_take_the_next_one_within_it() {
    ScheduleFixture graceful = new ScheduleFixture(db, clock, home, "8d");
    graceful.freeze("maintenance", "live", null, "once", "2026-03-03T19:00:00Z", "2026-03-03T23:00:00Z", null, null);
    Deployment d = graceful.request("shop/db", "1.2.0", "live");

    clock.set(at("2026-03-10T20:00:00Z"));
    assertThat(graceful.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  // --- freezes

  @Test
  void a_freeze_wins_over_an_open_window_and_the_deployment_runs_when_the_freeze_ends() {
    clock.set(at("2026-03-03T20:15:00Z"));
    fx.freeze("incident", null, null, "once", "2026-03-03T20:00:00Z", "2026-03-03T21:00:00Z", null, null);
    Deployment d = fx.request("shop/db", "1.2.0", "live");

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    DeploymentEvent wait = fx.lastWait(d);
    assertThat(wait.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.WINDOW);
    assertThat(wait.message()).isEqualTo("waiting for the end of freeze #1 \"incident\" (organisation) at "
        + "2026-03-03T21:00:00Z: reason for incident");

    clock.set(at("2026-03-03T21:00:00Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @ParameterizedTest(name = "freeze of {0}/{1}, deployment of {2} into {3}: held={4}")
  @CsvSource(nullValues = "-", value = {
      "-,    -,       shop/db,     qa, true",
      "qa,   -,       shop/db,     qa, true",
      "live, -,       shop/db,     qa, false",
      "-,    shop,    shop/db,     qa, true",
      "-,    billing, shop/db,     qa, false",
      "qa,   billing, billing/api, qa, true",
      "qa,   billing, shop/db,     qa, false",
      "live, billing, billing/api, qa, false"})
  void a_freeze_holds_deployments_within_its_scope_only_and_is_a_conflict_of_theirs(String environment,
      String service, String component, String into, boolean held) {
    Freeze f = fx.freeze("hold", environment, service, "once", "2026-03-02T11:00:00Z", "2026-03-02T18:00:00Z", null,
        null);
    Deployment d = fx.request(component, component.equals("shop/db") ? "1.2.0" : "1.0.0", into);

    Deployment after = fx.run(d);

    assertThat(after.state()).isEqualTo(held ? DeploymentState.REQUESTED : DeploymentState.SUCCEEDED);
    if (held) {
      assertThat(fx.lastWait(d).message()).contains("freeze #" + f.id() + " \"hold\" (" + f.scope() + ")");
      assertThat(conflicts(d, Conflict.Kind.FREEZE)).singleElement().satisfies(c -> {
        assertThat(c.freeze()).isEqualTo(f.id());
        assertThat(c.message()).isEqualTo("deployment #" + d.id() + " of " + component + " " + d.version() + " in "
            + into + " is planned inside freeze #" + f.id() + " \"hold\" (" + f.scope()
            + ", 2026-03-02T11:00:00Z to 2026-03-02T18:00:00Z): reason for hold (declared by carol)");
      });
      assertThat(fx.events(d, DeploymentEvent.Kind.CONFLICT)).extracting(DeploymentEvent::message)
          .contains(conflicts(d, Conflict.Kind.FREEZE).getFirst().message());
    } else {
      assertThat(conflicts(d, Conflict.Kind.FREEZE)).isEmpty();
    }
  }

  @Test
  void a_weekly_freeze_holds_on_its_days_and_lets_go_at_its_end() {
    fx.freeze("lunch", "qa", null, "weekly", "11:00", "13:00", List.of("mon"), "UTC");
    Deployment d = fx.request("shop/db", "1.2.0", "qa");

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(fx.lastWait(d).message()).contains("at 2026-03-02T13:00:00Z");
    clock.set(at("2026-03-02T13:00:00Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_yearly_freeze_holds_every_year_across_the_new_year() {
    fx.freeze("year-end", null, null, "yearly", "12-20", "01-02", null, "Europe/London");
    clock.set(at("2026-12-31T10:00:00Z"));
    Deployment d = fx.request("shop/db", "1.2.0", "qa");

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(fx.lastWait(d).message()).contains("at 2027-01-03T00:00:00Z");
    clock.set(at("2027-01-03T00:00:00Z"));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void an_emergency_change_runs_inside_a_freeze_and_the_override_is_recorded_with_its_reason() {
    Freeze f = fx.freeze("year-end", null, null, "once", "2026-03-01T00:00:00Z", "2026-03-09T00:00:00Z", null, null);
    Deployment emergency = fx.request("shop/db", "1.2.0", "qa");
    Deployment ordinary = fx.request("billing/api", "1.0.0", "qa");
    fx.exemptions.add(d -> d.id() == emergency.id() ? Optional.of("emergency change CHG-7: payments down")
        : Optional.empty());

    assertThat(fx.run(emergency).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fx.deployments.get(ordinary.id()).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(conflicts(emergency, Conflict.Kind.FREEZE_OVERRIDDEN)).singleElement().satisfies(c -> {
      assertThat(c.freeze()).isEqualTo(f.id());
      assertThat(c.message()).isEqualTo("deployment #" + emergency.id() + " of shop/db 1.2.0 in qa runs inside "
          + "freeze #" + f.id() + " \"year-end\" (organisation, 2026-03-01T00:00:00Z to 2026-03-09T00:00:00Z: "
          + "reason for year-end) as an emergency change: emergency change CHG-7: payments down");
    });
    assertThat(fx.events(emergency, DeploymentEvent.Kind.CONFLICT)).extracting(DeploymentEvent::message)
        .anySatisfy(m -> assertThat(m).contains("as an emergency change: emergency change CHG-7"));
    assertThat(conflicts(ordinary, Conflict.Kind.FREEZE_OVERRIDDEN)).isEmpty();

    // an audit of the period finds the override; an audit of another service does not
    var findings = new FreezeOverrideFindings(db.jdbc());
    var period = new io.gantry.metrics.Period(clock.instant().minus(java.time.Duration.ofDays(1)),
        clock.instant().plus(java.time.Duration.ofDays(1)));
    assertThat(findings.findings(period, io.gantry.metrics.MetricsFilter.NONE)).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo("freeze-override");
      assertThat(a.deployment()).isEqualTo(emergency.id());
      assertThat(a.detail()).contains("as an emergency change");
    });
    assertThat(findings.findings(period, new io.gantry.metrics.MetricsFilter("billing", null, null, null))).isEmpty();
  }

  @Test
  void an_emergency_change_does_not_open_a_closed_window() {
    fx.exemptions.add(d -> Optional.of("emergency change CHG-8"));
    Deployment d = fx.request("shop/db", "1.2.0", "live");

    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(fx.lastWait(d).message()).contains("the window tue 20:00-22:00");
  }

  @Test
  void removing_a_freeze_needs_a_reason_lets_held_deployments_go_and_keeps_the_freeze_on_record() {
    Freeze f = fx.freeze("hold", null, null, "once", "2026-03-02T11:00:00Z", "2026-03-09T00:00:00Z", null, null);
    Deployment d = fx.request("shop/db", "1.2.0", "qa");
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);

    assertThatThrownBy(() -> fx.declarations.remove(f.id(), " ", "carol")).isInstanceOf(InvalidInputException.class);
    assertThat(fx.freezes.active()).hasSize(1);
    Freeze removed = fx.declarations.remove(f.id(), "incident over", "carol");
    assertThatThrownBy(() -> fx.declarations.remove(f.id(), "again", "carol")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("already removed by carol");

    clock.advance(Duration.ofSeconds(5));
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fx.freezes.active()).isEmpty();
    assertThat(fx.freezes.all()).singleElement().satisfies(x -> {
      assertThat(x.removedBy()).isEqualTo("carol");
      assertThat(x.removedReason()).isEqualTo("incident over");
      assertThat(x.removedAt()).isEqualTo(removed.removedAt());
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "an undeclared environment | mars | -    | once   | 2026-03-03T00:00:00Z | 2026-03-04T00:00:00Z | -   | -   | environment",
      "an undeclared service     | -    | nope | once   | 2026-03-03T00:00:00Z | 2026-03-04T00:00:00Z | -   | -   | service",
      "an inverted period        | -    | -    | once   | 2026-03-04T00:00:00Z | 2026-03-03T00:00:00Z | -   | -   | to",
      "an invalid zone           | -    | -    | yearly | 12-20                | 01-02                | -   | Nowhere/Town | timeZone",
      "an invalid recurrence     | -    | -    | daily  | 10:00                | 11:00                | -   | UTC | recurrence",
      "an invalid weekly day     | -    | -    | weekly | 10:00                | 11:00                | fry | UTC | days"})
  void a_refused_freeze_changes_nothing(String name, String environment, String service, String recurrence,
      String from, String to, String day, String zone, String field) {
    Deployment d = fx.request("shop/db", "1.2.0", "qa");
    long events = fx.deployments.events(d.id(), 0).size();

    assertThatThrownBy(() -> fx.declarations.declare(new FreezeRules.Draft("bad", "why", environment, service,
        recurrence, from, to, day == null ? null : List.of(day), zone), "carol"))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.findings()).extracting(f -> f.field()).contains(field));
    assertThat(db.count("freezes")).isZero();
    assertThat(db.count("schedule_conflicts")).isZero();
    assertThat(fx.deployments.events(d.id(), 0)).hasSize((int) events);
  }

  @Test
  void declaring_a_freeze_records_the_conflict_on_deployments_already_planned_inside_it() {
    Deployment d = fx.request("shop/db", "1.2.0", "live", at("2026-03-03T20:30:00Z"), at("2026-03-03T21:00:00Z"), 0);
    Deployment outside = fx.request("billing/api", "1.0.0", "live", at("2026-03-10T20:30:00Z"), null, 0);
    assertThat(fx.conflicts.of(d.id())).isEmpty();

    Freeze f = fx.freeze("release-train", "live", null, "once", "2026-03-03T18:00:00Z", "2026-03-04T00:00:00Z", null,
        null);

    assertThat(conflicts(d, Conflict.Kind.FREEZE)).singleElement()
        .satisfies(c -> assertThat(c.message()).contains("is planned inside freeze #" + f.id()));
    assertThat(fx.conflicts.of(outside.id())).isEmpty();
  }

  // --- conflicts among deployments

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "same environment and service       | shop/db 1.2.0 qa |  -    |  -    | shop/web 1.0.0 qa    |  -    |  -    | on service shop",
      "same component                     | shop/db 1.2.0 qa |  -    |  -    | shop/db 2.0.0 qa     |  -    |  -    | on the same component (the lock runs them one after the other)",
      "another service on the same target | shop/db 1.2.0 qa |  -    |  -    | billing/api 1.0.0 qa |  -    |  -    | on target q1",
      "planned times that meet            | shop/db 1.2.0 qa | 14:00 | 15:00 | billing/api 1.0.0 qa | 14:30 | 16:00 | on target q1",
      "planned times apart                | shop/db 1.2.0 qa | 14:00 | 15:00 | billing/api 1.0.0 qa | 15:00 | 16:00 | -",
      "another environment                | shop/db 1.2.0 qa |  -    |  -    | billing/api 1.0.0 live |  -  |  -    | -"})
  void overlapping_deployments_are_a_conflict_naming_both(String name, String first, String firstFrom,
      String firstTo, String second, String secondFrom, String secondTo, String where) {
    Deployment a = request(first, firstFrom, firstTo);
    Deployment b = request(second, secondFrom, secondTo);

    List<Conflict> found = conflicts(b, Conflict.Kind.OVERLAP);

    if (where == null) {
      assertThat(found).isEmpty();
      return;
    }
    assertThat(found).singleElement().satisfies(c -> {
      assertThat(c.otherDeployment()).isEqualTo(a.id());
      assertThat(c.message()).startsWith("deployment #" + b.id() + " of " + b.component() + " " + b.version() + " in "
          + b.environment()).contains(" overlaps deployment #" + a.id() + " of " + a.component() + " " + a.version()
          + " in " + a.environment()).endsWith(where);
    });
    assertThat(fx.events(b, DeploymentEvent.Kind.CONFLICT)).extracting(DeploymentEvent::message)
        .contains(found.getFirst().message());
  }

  private Deployment request(String what, String from, String to) {
    String[] parts = what.split(" ");
    return fx.request(parts[0], parts[1], parts[2], from == null ? null : at("2026-03-02T" + from + ":00Z"),
        to == null ? null : at("2026-03-02T" + to + ":00Z"), 0);
  }

  @Test
  void the_members_of_one_release_do_not_overlap_each_other_but_overlap_others() {
    Deployment other = fx.request("billing/api", "1.0.0", "qa");
    java.util.Set<Long> members = new java.util.concurrent.ConcurrentSkipListSet<>();
    var run = new io.gantry.release.ReleaseRun(1, 1, "r1", "qa", io.gantry.release.ReleaseRun.State.RUNNING, "bob",
        clock.instant(), "r", null, null, null, 0);
    fx.releases = id -> members.contains(id) ? java.util.Optional.of(new io.gantry.release.ReleaseRun.Members(run,
        members.stream().map(m -> new io.gantry.release.ReleaseRun.Member(0,
            io.gantry.release.ReleaseRun.Purpose.DEPLOY, m, null, null)).toList())) : java.util.Optional.empty();
    // what a release does: each member is recorded as one before the gates look at it
    Deployment db = fx.requests.request(new io.gantry.deployment.DeploymentRequests.Request("shop/db", "1.2.0", "qa",
        null, null), "bob", d -> members.add(d.id()));
    Deployment web = fx.requests.request(new io.gantry.deployment.DeploymentRequests.Request("shop/web", "1.0.0",
        "qa", null, null), "bob", d -> members.add(d.id()));

    assertThat(conflicts(web, Conflict.Kind.OVERLAP)).extracting(Conflict::otherDeployment)
        .containsExactly(other.id());
    assertThat(conflicts(db, Conflict.Kind.OVERLAP)).extracting(Conflict::otherDeployment)
        .containsExactly(other.id());
  }

  @Test
  void a_burst_of_overlapping_deployments_records_ten_overlaps_and_counts_the_others() {
    for (int i = 0; i < 12; i++) {
      fx.push("shop/db", "3.0." + i);
      fx.request("shop/db", "3.0." + i, "qa");
    }
    Deployment last = fx.request("shop/web", "1.0.0", "qa");

    List<Conflict> found = conflicts(last, Conflict.Kind.OVERLAP);

    assertThat(found).hasSize(ConflictFinder.MAX_OVERLAPS);
    assertThat(found).filteredOn(c -> c.message().endsWith("(and 2 more overlapping deployments)")).hasSize(1);
  }

  @Test
  void an_overlap_is_a_warning_the_lock_runs_both_one_after_the_other() {
    Deployment a = fx.request("shop/db", "1.2.0", "qa");
    Deployment b = fx.request("shop/db", "2.0.0", "qa");

    fx.engine.runDue();
    clock.advance(Duration.ofSeconds(5));
    fx.engine.runDue();

    assertThat(fx.deployments.get(a.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fx.deployments.get(b.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(conflicts(b, Conflict.Kind.OVERLAP)).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "nothing deployed            | -     | qa   | false | no version of shop/db is deployed there",
      "a version in the range      | 1.2.0 | qa   | false | -",
      "a version outside the range | 2.0.0 | qa   | false | q1 runs 2.0.0",
      "only in another environment | 1.2.0 | live | false | no version of shop/db is deployed there",
      "requested before, run first | 1.2.0 | qa   | true  | no version of shop/db is deployed there (deployment #1 of shop/db 1.2.0 is requested)"})
  void a_requirement_the_environment_does_not_meet_is_a_conflict_and_fails_the_deployment_at_its_start(String name,
      String dbVersion, String dbInto, boolean stillRequested, String missing) {
    if (dbVersion != null) {
      Deployment db = fx.request("shop/db", dbVersion, dbInto);
      if (!stillRequested) {
        clock.set(dbInto.equals("live") ? WINDOW_OPENS : MONDAY_NOON);
        assertThat(fx.run(db).state()).isEqualTo(DeploymentState.SUCCEEDED);
      }
    }

    Deployment web = fx.request("shop/web", "1.0.0", "qa");
    List<Conflict> found = conflicts(web, Conflict.Kind.DEPENDENCY);
    Deployment after = fx.run(web);

    String expected = "deployment #" + web.id() + " of shop/web 1.0.0 in qa requires shop/db >=1.0.0, <2.0.0, which "
        + "qa does not have: " + missing;
    if (missing == null) {
      assertThat(found).isEmpty();
      assertThat(after.state()).isEqualTo(DeploymentState.SUCCEEDED);
    } else if (stillRequested) {
      assertThat(found).singleElement().satisfies(c -> assertThat(c.message()).isEqualTo(expected));
      assertThat(after.state()).as("shop/db ran first").isEqualTo(DeploymentState.SUCCEEDED);
    } else {
      assertThat(found).singleElement().satisfies(c -> {
        assertThat(c.subject()).isEqualTo("requires:shop/db");
        assertThat(c.message()).isEqualTo(expected);
      });
      assertThat(after.state()).isEqualTo(DeploymentState.FAILED);
      assertThat(after.outcome()).isEqualTo("missing dependency: " + expected);
    }
  }

  // --- the forward schedule and the backlog

  @Test
  void the_schedule_places_deployments_windows_freezes_and_conflicts_in_the_period() {
    Deployment planned = fx.request("shop/db", "1.2.0", "live", at("2026-03-03T20:30:00Z"), at("2026-03-03T21:00:00Z"),
        0);
    Deployment now = fx.request("shop/web", "1.0.0", "qa");
    fx.freeze("year-end", null, null, "yearly", "12-20", "01-02", null, "UTC");
    fx.freeze("fridays", "live", null, "weekly", "16:00", "23:00", List.of("fri"), "UTC");

    var view = fx.schedule.build(ForwardSchedule.period("2026-03-02", "2026-03-09"), clock.instant());

    assertThat(view.deployments()).extracting(e -> e.id() + " " + e.start() + " " + e.end() + " " + e.planned())
        .containsExactly(now.id() + " 2026-03-02T12:00:00Z 2026-03-02T13:00:00Z false",
            planned.id() + " 2026-03-03T20:30:00Z 2026-03-03T21:00:00Z true");
    assertThat(view.windows()).extracting(w -> w.environment() + " " + w.stage() + " " + w.start() + " " + w.end())
        .containsExactly("live live 2026-03-03T20:00:00Z 2026-03-03T22:00:00Z");
    assertThat(view.freezes()).extracting(f -> f.name() + " " + f.scope() + " " + f.start() + " " + f.end())
        .containsExactly("fridays environment live 2026-03-06T16:00:00Z 2026-03-06T23:00:00Z");
    assertThat(view.conflicts()).extracting(c -> c.deployment() + " " + c.kind())
        .containsExactly(now.id() + " DEPENDENCY");
    assertThat(fx.schedule.build(ForwardSchedule.period("2026-12-01", "2027-01-01"), clock.instant()).freezes())
        .extracting(f -> f.name() + " " + f.start()).containsExactly("fridays 2026-12-04T16:00:00Z",
            "fridays 2026-12-11T16:00:00Z", "fridays 2026-12-18T16:00:00Z", "year-end 2026-12-20T00:00:00Z",
            "fridays 2026-12-25T16:00:00Z");
  }

  @Test
  void a_deployment_waiting_for_its_window_is_placed_at_the_opening_with_a_conflict_naming_the_window() {
    clock.set(at("2026-03-03T18:17:00Z"));
    Deployment d = fx.request("shop/db", "1.2.0", "live");
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.REQUESTED);

    var view = fx.schedule.build(ForwardSchedule.period("2026-03-03", "2026-03-10"), clock.instant());

    assertThat(view.deployments()).extracting(e -> e.id() + " " + e.start() + " " + e.end())
        .containsExactly(d.id() + " 2026-03-03T20:00:00Z 2026-03-03T21:00:00Z");
    assertThat(view.conflicts()).filteredOn(c -> c.deployment() == d.id()).extracting(c -> c.kind() + ": "
        + c.message()).containsExactly("WINDOW: deployment #" + d.id() + " of shop/db 1.2.0 in live waits for its "
        + "window tue 20:00-22:00 Europe/London of stage live, which opens at 2026-03-03T20:00:00Z");
    assertThat(ICalendar.render(view)).contains("UID:deployment-" + d.id() + "@gantry\r\nDTSTAMP:20260303T181700Z\r\n"
        + "DTSTART:20260303T200000Z\r\nDTEND:20260303T210000Z\r\n");
  }

  @Test
  void a_deployment_whose_window_does_not_open_in_the_period_is_unplaced_with_a_conflict_saying_why() {
    Deployment d = fx.request("shop/db", "1.2.0", "live");

    var view = fx.schedule.build(ForwardSchedule.period("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"),
        clock.instant());

    assertThat(view.deployments()).singleElement().satisfies(e -> {
      assertThat(e.start()).isNull();
      assertThat(e.end()).isNull();
    });
    assertThat(view.conflicts()).extracting(c -> c.kind() + " " + c.start()).containsExactly("WINDOW null",
        "UNPLACED null");
    assertThat(view.conflicts().getLast().message()).endsWith("is not placed: no window of stage live opens free of "
        + "freezes before the end of the period at 2026-03-03T00:00:00Z");
    assertThat(ICalendar.render(view)).doesNotContain("deployment-" + d.id() + "@gantry");
  }

  @Test
  void a_deployment_held_by_a_freeze_is_placed_at_its_end_with_the_freeze_as_a_conflict() {
    fx.freeze("monday", "qa", null, "weekly", "10:00", "15:00", List.of("mon"), "UTC");
    Deployment d = fx.request("billing/api", "1.0.0", "qa");

    var view = fx.schedule.build(ForwardSchedule.period("2026-03-02", "2026-03-03"), clock.instant());

    assertThat(view.deployments()).extracting(e -> e.start() + " " + e.end())
        .containsExactly("2026-03-02T15:00:00Z 2026-03-02T16:00:00Z");
    assertThat(view.conflicts()).filteredOn(c -> c.deployment() == d.id())
        .extracting(ForwardSchedule.ConflictEntry::kind).containsExactly("FREEZE");
  }

  @Test
  void a_deployment_whose_change_starts_later_is_placed_at_the_change_s_planned_start() {
    Deployment d = fx.request("billing/api", "1.0.0", "qa");
    fx.deployments.recordWait(d.id(), DeploymentEvent.WaitKind.CHANGE,
        "waiting for change CHG-7 to start at its planned start 2026-03-04T09:00:00Z", clock.instant());

    var view = fx.schedule.build(ForwardSchedule.period("2026-03-02", "2026-03-09"), clock.instant());

    assertThat(view.deployments()).extracting(e -> e.start() + " " + e.end())
        .containsExactly("2026-03-04T09:00:00Z 2026-03-04T10:00:00Z");
    assertThat(view.conflicts()).extracting(c -> c.kind() + ": " + c.message()).containsExactly("CHANGE: deployment #"
        + d.id() + " of billing/api 1.0.0 in qa waiting for change CHG-7 to start at its planned start "
        + "2026-03-04T09:00:00Z");
  }

  @Test
  void a_refused_deployment_shows_the_times_of_its_record_and_no_made_up_end() {
    Deployment web = fx.request("shop/web", "1.0.0", "qa");
    Deployment failed = fx.run(web);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);

    var view = fx.schedule.build(ForwardSchedule.period("2026-03-02", "2026-03-09"), clock.instant());

    assertThat(view.deployments()).singleElement().satisfies(e -> {
      assertThat(e.start()).isEqualTo(failed.startedAt());
      assertThat(e.end()).isEqualTo(failed.startedAt() == null ? null : failed.finishedAt());
    });
    assertThat(ICalendar.render(view)).doesNotContain("DTEND:20260302T120001Z");
  }

  @Test
  void the_backlog_lists_each_environment_and_component_in_lock_order_with_what_each_waits_for() {
    Deployment first = fx.request("shop/db", "1.2.0", "live");
    clock.advance(Duration.ofMinutes(10));
    Deployment urgent = fx.request("shop/db", "2.0.0", "live", null, null, 5);
    Deployment later = fx.request("shop/db", "1.2.0", "live", at("2026-03-10T20:30:00Z"), null, 0);
    Deployment other = fx.request("billing/api", "1.0.0", "qa", at("2026-03-02T13:00:00Z"), null, 0);
    fx.engine.runDue();
    clock.advance(Duration.ofMinutes(5));

    List<Backlog.Queue> queues = fx.backlog.queues(null, null, clock.instant());

    assertThat(queues).extracting(q -> q.environment() + " " + q.component())
        .containsExactly("live shop/db", "qa billing/api");
    assertThat(queues.getFirst().items()).extracting(i -> i.position() + " #" + i.id() + " p" + i.priority() + " "
        + i.age() + " " + i.waitingFor()).containsExactly(
            "1 #" + urgent.id() + " p5 5m 0s window",
            "2 #" + first.id() + " p0 15m 0s lock",
            "null #" + later.id() + " p0 5m 0s null");
    assertThat(queues.getFirst().items().get(1).what()).startsWith("deployment #" + urgent.id() + " of shop/db");
    assertThat(fx.backlog.queues("qa", null, clock.instant())).singleElement()
        .satisfies(q -> assertThat(q.items()).extracting(Backlog.Item::id).containsExactly(other.id()));
    assertThat(fx.backlog.queues(null, io.gantry.catalog.ComponentRef.parse("shop/db"), clock.instant()))
        .singleElement().satisfies(q -> assertThat(q.environment()).isEqualTo("live"));
  }

  // --- windows refused when the model is applied

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "overlapping windows | '{days: [tue], start: \"20:00\", end: \"22:00\", timeZone: Europe/London}, {days: [tue], start: \"21:00\", end: \"23:00\", timeZone: Europe/London}' | spec.stages[1].windows[1] | stage live: window 0 (tue 20:00-22:00 Europe/London) and window 1 (tue 21:00-23:00 Europe/London) overlap",
      "an invalid zone     | '{days: [tue], start: \"20:00\", end: \"22:00\", timeZone: Europe/Nowhere}' | spec.stages[1].windows[0].timeZone | stage live, window 0 (tue 20:00-22:00 Europe/Nowhere): \"Europe/Nowhere\" is not a time zone",
      "equal start and end | '{days: [tue], start: \"20:00\", end: \"20:00\", timeZone: UTC}' | spec.stages[1].windows[0].end | stage live, window 0 (tue 20:00-20:00 UTC): start and end are both 20:00",
      "an invalid day      | '{days: [tuesday], start: \"20:00\", end: \"22:00\", timeZone: UTC}' | spec.stages[1].windows[0].days[0] | tuesday"})
  void a_model_with_bad_windows_is_refused_naming_stage_and_window_and_nothing_changes(String name, String windows,
      String field, String message) {
    String bad = ScheduleFixture.CONFIG.replace(
        "- {days: [tue], start: \"20:00\", end: \"22:00\", timeZone: Europe/London}", "- " + windows.replace("}, {",
            "}\n        - {"));

    assertThatThrownBy(() -> fx.apply(bad)).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.findings()).anySatisfy(f -> {
          assertThat(f.field()).isEqualTo(field);
          assertThat(f.message()).contains(message);
        }));
    assertThat(fx.models.get("software").currentVersion()).isEqualTo(1);
  }
}
