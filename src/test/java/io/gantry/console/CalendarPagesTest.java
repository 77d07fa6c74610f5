package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.change.ApprovalRule;
import io.gantry.change.Change;
import io.gantry.change.ChangeDecision;
import io.gantry.change.ChangeState;
import io.gantry.schedule.Schedules;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the calendar lays out days and entries, and when a person may decide on a change; no server. */
class CalendarPagesTest {

  static final Instant T = Instant.parse("2026-12-09T10:00:00Z");

  @Test
  void a_month_is_shown_as_whole_weeks_from_monday_and_a_week_as_monday_to_sunday() {
    var month = CalendarPages.Span.of("month", LocalDate.parse("2026-12-15"));
    assertThat(month.first()).isEqualTo(LocalDate.parse("2026-11-30"));
    assertThat(month.last()).isEqualTo(LocalDate.parse("2027-01-03"));
    var week = CalendarPages.Span.of("week", LocalDate.parse("2026-12-13"));
    assertThat(week.first()).isEqualTo(LocalDate.parse("2026-12-07"));
    assertThat(week.to()).isEqualTo(Instant.parse("2026-12-14T00:00:00Z"));
  }

  @Test
  void each_day_lists_the_freezes_windows_and_deployments_on_it_with_their_conflicts() {
    var seen = new Schedules.Seen(T, T, T,
        List.of(new Schedules.Placed(7, "shop/web", "1.2.0", "production", "live", "PENDING", T.plusSeconds(3600),
            T.plusSeconds(5400), true, "ann")),
        List.of(new Schedules.WindowBand("production", "m", "live", "tue 20:00-23:00 UTC",
            Instant.parse("2026-12-09T20:00:00Z"), Instant.parse("2026-12-09T23:00:00Z"))),
        List.of(new Schedules.FreezeBand(3, "year-end", "organisation", "books", "bob",
            Instant.parse("2026-12-08T12:00:00Z"), Instant.parse("2026-12-10T06:00:00Z"))),
        List.of(new Schedules.ConflictMark(7, "FREEZE", "in a freeze", T, T)));
    var page = CalendarPages.page("week", LocalDate.parse("2026-12-09"), LocalDate.parse("2026-12-09"),
        CalendarPages.Span.of("week", LocalDate.parse("2026-12-09")), seen, List.of(), false, null, null, null);

    assertThat(page.weeks()).hasSize(1);
    var days = page.weeks().get(0);
    assertThat(days.get(1).entries()).extracting(CalendarPage.Entry::time).containsExactly("from 12:00");
    var wednesday = days.get(2);
    assertThat(wednesday.today()).isTrue();
    assertThat(wednesday.entries()).extracting(CalendarPage.Entry::kind, CalendarPage.Entry::time)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("freeze", "all day"),
            org.assertj.core.groups.Tuple.tuple("window", "20:00–23:00"),
            org.assertj.core.groups.Tuple.tuple("deployment", "11:00–11:30"));
    assertThat(wednesday.entries().get(2).link()).isEqualTo("/console/deployments/7");
    assertThat(wednesday.entries().get(2).conflicts()).containsExactly("FREEZE");
    assertThat(days.get(3).entries()).extracting(CalendarPage.Entry::time).containsExactly("until 06:00");
    assertThat(page.previous()).isEqualTo("/console/calendar?view=week&date=2026-12-02");
    assertThat(page.next()).isEqualTo("/console/calendar?view=week&date=2026-12-16");
    assertThat(page.otherView()).isEqualTo("/console/calendar?view=month&date=2026-12-09");
  }

  @Test
  void the_requester_may_not_decide_under_separation_of_duties_nor_anyone_twice_nor_without_a_role_of_the_rule() {
    Change c = change(List.of(new ApprovalRule(List.of("deployment-manager"), 1, true)));
    assertThat(ChangePages.whyNotDecide(c, "ann", Set.of("deployment-manager"), List.of()))
        .contains("separation of duties");
    assertThat(ChangePages.whyNotDecide(c, "bob", Set.of("deployment-manager"), List.of())).isNull();
    assertThat(ChangePages.whyNotDecide(c, "bob", Set.of("auditor"), List.of())).contains("deployment-manager");
    var decided = new ChangeDecision(1, 1, "bob", List.of("deployment-manager"), ChangeDecision.Verdict.APPROVE, null,
        T);
    assertThat(ChangePages.whyNotDecide(c, "bob", Set.of("deployment-manager"), List.of(decided))).contains("already");
    assertThat(ChangePages.progress(c, List.of(decided))).isEqualTo("1 of 1 approvals from deployment-manager");

    Change together = change(List.of(new ApprovalRule(List.of("deployment-manager"), 1, false)));
    assertThat(ChangePages.whyNotDecide(together, "ann", Set.of("deployment-manager"), List.of())).isNull();
  }

  private static Change change(List<ApprovalRule> rules) {
    return new Change(1, "t", Change.Type.NORMAL, Change.Level.LOW, Change.Level.LOW, T, T.plusSeconds(60), null,
        null, null, List.of("shop"), List.of(), List.of("production"), "ann", T, ChangeState.ASSESSED, null, null,
        rules, T, null, null, null, 0);
  }
}
