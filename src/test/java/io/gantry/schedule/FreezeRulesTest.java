package io.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.model.WindowRules.Span;
import io.gantry.shared.InvalidInputException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How freezes are written, when they hold, and which drafts are refused. */
class FreezeRulesTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");

  private static Freeze.Recurrence check(String recurrence, String from, String to, String days, String zone) {
    return FreezeRules.check(new FreezeRules.Draft("f", "why", null, null, recurrence, from, to,
        days == null ? null : Arrays.asList(days.split(",")), zone), e -> true, s -> true, NOW).recurrence();
  }

  private static Span span(String from, String to) {
    return new Span(Instant.parse(from), Instant.parse(to));
  }

  @Test
  void a_one_off_freeze_holds_from_its_start_to_its_end_written_with_an_offset_or_a_zone() {
    Freeze.Recurrence utc = check("once", "2026-12-20T18:00:00Z", "2027-01-02T06:00:00Z", null, null);
    Freeze.Recurrence local = check(null, "2026-12-20T18:00", "2027-01-02T06:00", null, "Europe/Berlin");

    assertThat(utc.occurrences(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z")))
        .containsExactly(span("2026-12-20T18:00:00Z", "2027-01-02T06:00:00Z"));
    assertThat(local.occurrences(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z")))
        .containsExactly(span("2026-12-20T17:00:00Z", "2027-01-02T05:00:00Z"));
    assertThat(utc.occurrences(Instant.parse("2027-01-02T06:00:00Z"), Instant.parse("2027-02-01T00:00:00Z")))
        .isEmpty();
  }

  @Test
  void a_yearly_freeze_holds_whole_days_every_year_and_may_run_into_the_next_year() {
    Freeze.Recurrence yearly = check("yearly", "12-20", "01-02", null, "Europe/London");

    assertThat(yearly.occurrences(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2028-01-01T00:00:00Z")))
        .containsExactly(span("2025-12-20T00:00:00Z", "2026-01-03T00:00:00Z"),
            span("2026-12-20T00:00:00Z", "2027-01-03T00:00:00Z"),
            span("2027-12-20T00:00:00Z", "2028-01-03T00:00:00Z"));
    assertThat(yearly.describe()).isEqualTo("every year from 12-20 to 01-02 (whole days, Europe/London)");
  }

  @Test
  void a_yearly_freeze_in_summer_follows_the_zone_s_summer_time() {
    Freeze.Recurrence yearly = check("yearly", "08-01", "08-01", null, "Europe/London");

    assertThat(yearly.occurrences(Instant.parse("2026-07-01T00:00:00Z"), Instant.parse("2026-09-01T00:00:00Z")))
        .containsExactly(span("2026-07-31T23:00:00Z", "2026-08-01T23:00:00Z"));
  }

  @Test
  void a_weekly_freeze_holds_on_its_days_between_its_times() {
    Freeze.Recurrence weekly = check("weekly", "16:00", "23:00", "fri", "Europe/London");

    assertThat(weekly.occurrences(Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-16T00:00:00Z")))
        .containsExactly(span("2026-03-06T16:00:00Z", "2026-03-06T23:00:00Z"),
            span("2026-03-13T16:00:00Z", "2026-03-13T23:00:00Z"));
    assertThat(weekly.describe()).isEqualTo("every week fri 16:00-23:00 Europe/London");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "no name                | -     | once    | 2026-12-20T00:00:00Z | 2026-12-21T00:00:00Z | -       | -             | name     | give the freeze a name",
      "unknown recurrence     | x     | monthly | 01                   | 02                   | -       | -             | recurrence | \"monthly\" is not a recurrence; use once, yearly or weekly",
      "unreadable start       | x     | once    | tomorrow             | 2026-12-21T00:00:00Z | -       | -             | from     | \"tomorrow\" is not a time",
      "end before start       | x     | once    | 2026-12-21T00:00:00Z | 2026-12-20T00:00:00Z | -       | -             | to       | the freeze ends (2026-12-20T00:00:00Z) before it starts",
      "end in the past        | x     | once    | 2026-01-01T00:00:00Z | 2026-02-01T00:00:00Z | -       | -             | to       | which is past",
      "local time, no zone    | x     | once    | 2026-12-20T00:00     | 2026-12-21T00:00     | -       | -             | from     | has no offset",
      "days on a one-off      | x     | once    | 2026-12-20T00:00:00Z | 2026-12-21T00:00:00Z | mon     | -             | days     | only weekly freezes name days",
      "month 13               | x     | yearly  | 13-01                | 01-02                | -       | UTC           | from     | \"13-01\" is not a day of the year",
      "a leap day             | x     | yearly  | 12-20                | 02-29                | -       | UTC           | to       | 02-29 does not come every year",
      "a short month          | x     | yearly  | 04-31                | 05-02                | -       | UTC           | from     | that month is shorter",
      "yearly without a zone  | x     | yearly  | 12-20                | 01-02                | -       | -             | timeZone | name a time zone",
      "a zone that is not one | x     | weekly  | 16:00                | 23:00                | fri     | Mars/Olympus  | timeZone | \"Mars/Olympus\" is not a time zone",
      "a day that is not one  | x     | weekly  | 16:00                | 23:00                | someday | UTC           | days     | \"someday\" is not a day",
      "an unreadable time     | x     | weekly  | 4pm                  | 23:00                | fri     | UTC           | from     | \"4pm\" is not a time of day",
      "equal times            | x     | weekly  | 16:00                | 16:00                | fri     | UTC           | to       | a weekly freeze must not start and end at the same time"})
  void a_bad_freeze_is_refused_naming_the_field_and_the_problem(String name, String freeze, String recurrence,
      String from, String to, String days, String zone, String field, String message) {
    var draft = new FreezeRules.Draft(freeze, "why", null, null, recurrence, from, to,
        days == null ? null : List.of(days), zone);

    assertThatThrownBy(() -> FreezeRules.check(draft, e -> true, s -> true, NOW))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .anySatisfy(f -> {
              assertThat(f.field()).isEqualTo(field);
              assertThat(f.message()).contains(message);
            }));
  }

  @Test
  void a_freeze_for_an_undeclared_environment_or_service_is_refused_with_both_problems() {
    var draft = new FreezeRules.Draft("f", "why", "mars", "nothing", "once", "2026-12-20T00:00:00Z",
        "2026-12-21T00:00:00Z", null, null);

    assertThatThrownBy(() -> FreezeRules.check(draft, e -> false, s -> false, NOW))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(f -> f.field() + ": " + f.message())
            .containsExactly("environment: environment \"mars\" is not declared",
                "service: service \"nothing\" is not declared"));
  }

  @Test
  void a_freeze_names_its_scope() {
    var once = new Freeze.Once(NOW, NOW.plusSeconds(60));
    assertThat(new Freeze(1, "f", "r", null, null, once, "c", NOW, null, null, null, 0).scope())
        .isEqualTo("organisation");
    assertThat(new Freeze(1, "f", "r", "live", null, once, "c", NOW, null, null, null, 0).scope())
        .isEqualTo("environment live");
    assertThat(new Freeze(1, "f", "r", null, "shop", once, "c", NOW, null, null, null, 0).scope())
        .isEqualTo("service shop");
    assertThat(new Freeze(1, "f", "r", "live", "shop", once, "c", NOW, null, null, null, 0).scope())
        .isEqualTo("service shop in environment live");
  }
}
