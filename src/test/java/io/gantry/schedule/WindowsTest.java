package io.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.model.Stage;
import io.gantry.model.WindowRules;
import io.gantry.model.WindowRules.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Allowed windows: when they are open, in their own time zone, across midnight and clock changes. */
class WindowsTest {

  private static WindowRules.Weekly window(String days, String start, String end, String zone) {
    return WindowRules.parse(List.of(days.split(",")), start, end, zone);
  }

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  @ParameterizedTest(name = "{0} {1}-{2} {3} at {4}: open={5}")
  @CsvSource({
      // 2026-03-03 is a Tuesday; London is on GMT (UTC+0) until 29 March
      "tue, 20:00, 23:00, Europe/London, 2026-03-03T20:00:00Z, true",
      "tue, 20:00, 23:00, Europe/London, 2026-03-03T22:59:59Z, true",
      "tue, 20:00, 23:00, Europe/London, 2026-03-03T23:00:00Z, false",
      "tue, 20:00, 23:00, Europe/London, 2026-03-03T19:59:59Z, false",
      "tue, 20:00, 23:00, Europe/London, 2026-03-04T21:00:00Z, false",
      // New York is UTC-5 in early March (its clocks go forward on 8 March)
      "tue, 20:00, 23:00, America/New_York, 2026-03-03T21:00:00Z, false",
      "tue, 20:00, 23:00, America/New_York, 2026-03-04T01:00:00Z, true",
      // in summer London is UTC+1: 20:00 local is 19:00 UTC
      "tue, 20:00, 23:00, Europe/London, 2026-07-07T19:00:00Z, true",
      "tue, 20:00, 23:00, Europe/London, 2026-07-07T22:30:00Z, false",
      // past midnight: the day named is the day it opens
      "fri, 22:00, 02:00, UTC, 2026-03-07T01:30:00Z, true",
      "fri, 22:00, 02:00, UTC, 2026-03-07T02:00:00Z, false",
      "fri, 22:00, 02:00, UTC, 2026-03-06T01:30:00Z, false",
      "'mon,wed', 09:00, 17:00, Asia/Tokyo, 2026-03-04T00:00:00Z, true",
      "'mon,wed', 09:00, 17:00, Asia/Tokyo, 2026-03-03T00:00:00Z, false"})
  void a_window_is_open_on_its_days_between_its_times_in_its_own_time_zone(String days, String start, String end,
      String zone, String instant, boolean open) {
    assertThat(window(days, start, end, zone).openAt(at(instant)).isPresent()).isEqualTo(open);
  }

  @Test
  void on_the_night_the_clocks_go_forward_a_window_over_the_skipped_hour_is_an_hour_shorter() {
    // Europe/London, Sunday 29 March 2026: at 01:00 GMT the clocks jump to 02:00 BST
    WindowRules.Weekly w = window("sun", "01:00", "03:00", "Europe/London");

    Span night = w.openAt(at("2026-03-29T01:30:00Z")).orElseThrow();

    assertThat(night.start()).isEqualTo(at("2026-03-29T01:00:00Z")); // 01:00 does not exist: opens at the jump
    assertThat(night.end()).isEqualTo(at("2026-03-29T02:00:00Z"));   // 03:00 BST
    assertThat(Duration.between(night.start(), night.end())).isEqualTo(Duration.ofHours(1));
    assertThat(w.openAt(at("2026-03-29T00:59:59Z"))).isEmpty();
    assertThat(w.openAt(at("2026-03-29T02:00:00Z"))).isEmpty();
    // the Sunday before and after: two hours, as written
    Span before = w.openAt(at("2026-03-22T01:30:00Z")).orElseThrow();
    assertThat(Duration.between(before.start(), before.end())).isEqualTo(Duration.ofHours(2));
    Span after = w.openAt(at("2026-04-05T01:30:00Z")).orElseThrow();
    assertThat(after.start()).isEqualTo(at("2026-04-05T00:00:00Z"));
    assertThat(Duration.between(after.start(), after.end())).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void on_the_night_the_clocks_go_back_a_window_over_the_repeated_hour_is_an_hour_longer() {
    // Europe/London, Sunday 25 October 2026: at 02:00 BST the clocks go back to 01:00 GMT
    WindowRules.Weekly w = window("sun", "01:00", "03:00", "Europe/London");

    Span night = w.openAt(at("2026-10-25T01:30:00Z")).orElseThrow();

    assertThat(night.start()).isEqualTo(at("2026-10-25T00:00:00Z")); // the first 01:00 (BST)
    assertThat(night.end()).isEqualTo(at("2026-10-25T03:00:00Z"));   // 03:00 GMT
    assertThat(Duration.between(night.start(), night.end())).isEqualTo(Duration.ofHours(3));
    assertThat(w.openAt(at("2026-10-24T23:59:59Z"))).isEmpty();
  }

  @Test
  void a_window_ending_in_the_repeated_hour_closes_at_its_second_occurrence() {
    WindowRules.Weekly w = window("sat", "23:00", "01:30", "Europe/London");

    Span night = w.openAt(at("2026-10-25T01:00:00Z")).orElseThrow();

    assertThat(night.start()).isEqualTo(at("2026-10-24T22:00:00Z"));
    assertThat(night.end()).isEqualTo(at("2026-10-25T01:30:00Z"));
  }

  @Test
  void the_next_opening_is_the_first_start_at_or_after_now_in_the_window_s_zone() {
    WindowRules.Weekly w = window("tue,thu", "20:00", "23:00", "Europe/London");

    assertThat(w.nextOpening(at("2026-03-02T12:00:00Z")).start()).isEqualTo(at("2026-03-03T20:00:00Z"));
    assertThat(w.nextOpening(at("2026-03-03T21:00:00Z")).start()).isEqualTo(at("2026-03-05T20:00:00Z"));
    assertThat(w.nextOpening(at("2026-03-26T23:00:00Z")).start()).isEqualTo(at("2026-03-31T19:00:00Z")); // BST
    assertThat(w.describe()).isEqualTo("tue,thu 20:00-23:00 Europe/London");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a zone that does not exist | tue | 20:00 | 23:00 | Europe/Atlantis | windows[0].timeZone | \"Europe/Atlantis\" is not a time zone",
      "no zone                    | tue | 20:00 | 23:00 |                 | windows[0].timeZone | name a time zone",
      "a day that does not exist  | tus | 20:00 | 23:00 | UTC             | windows[0].days     | \"tus\" is not a day; use mon, tue",
      "a day named twice          | 'tue,tue' | 20:00 | 23:00 | UTC     | windows[0].days     | tue is named twice",
      "an unreadable start        | tue | 8pm   | 23:00 | UTC             | windows[0].start    | \"8pm\" is not a time of day",
      "an hour out of range       | tue | 20:00 | 24:00 | UTC             | windows[0].end      | \"24:00\" is not a time of day",
      "the same start and end     | tue | 20:00 | 20:00 | UTC             | windows[0].end      | must not start and end at the same time"})
  void a_bad_window_is_refused_naming_the_stage_the_window_and_the_problem(String name, String days, String start,
      String end, String zone, String field, String message) {
    Stage stage = stage(new Stage.Window(List.of(days.split(",")), start, end, zone));

    List<WindowRules.Problem> problems = WindowRules.check(stage);

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo(field);
      assertThat(p.message()).startsWith("stage production, window 0 (").contains(message);
    });
  }

  @Test
  void two_windows_of_one_stage_that_overlap_are_refused_naming_both() {
    Stage stage = stage(new Stage.Window(List.of("tue", "wed"), "20:00", "23:00", "Europe/London"),
        new Stage.Window(List.of("wed"), "22:00", "02:00", "Europe/London"));

    assertThat(WindowRules.check(stage)).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("windows[1]");
      assertThat(p.message()).isEqualTo("stage production: window 0 (tue,wed 20:00-23:00 Europe/London) and window 1 "
          + "(wed 22:00-02:00 Europe/London) overlap (both are open at 2026-01-07T22:00:00Z); merge them into one");
    });
  }

  @Test
  void windows_in_different_zones_overlap_when_their_times_meet() {
    // 09:00-12:00 New York is 14:00-17:00 London in winter
    Stage stage = stage(new Stage.Window(List.of("mon"), "16:00", "18:00", "Europe/London"),
        new Stage.Window(List.of("mon"), "09:00", "12:00", "America/New_York"));

    assertThat(WindowRules.check(stage)).singleElement().satisfies(p -> assertThat(p.message()).contains("overlap"));
  }

  @Test
  void windows_that_only_touch_or_lie_on_other_days_are_accepted() {
    Stage stage = stage(new Stage.Window(List.of("tue"), "20:00", "22:00", "Europe/London"),
        new Stage.Window(List.of("tue"), "22:00", "23:00", "Europe/London"),
        new Stage.Window(List.of("sat"), "22:00", "02:00", "Europe/London"),
        new Stage.Window(List.of("sun"), "02:00", "04:00", "Europe/London"));

    assertThat(WindowRules.check(stage)).isEmpty();
  }

  @Test
  void a_weekly_span_cannot_be_built_without_days_or_with_equal_times() {
    assertThatThrownBy(() -> WindowRules.parse(List.of(), "20:00", "21:00", "UTC"))
        .hasMessageContaining("name at least one day");
    assertThatThrownBy(() -> new WindowRules.Weekly(java.util.Set.of(java.time.DayOfWeek.MONDAY),
        java.time.LocalTime.NOON, java.time.LocalTime.NOON, java.time.ZoneOffset.UTC))
        .hasMessageContaining("must not start and end at the same time");
  }

  static Stage stage(Stage.Window... windows) {
    return new Stage("production", "production", null, null, List.of(windows), null, null, null, null, null, null,
        null, null);
  }
}
