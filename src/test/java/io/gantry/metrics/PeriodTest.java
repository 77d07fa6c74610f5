package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Periods as users give them, and the ones refused. */
class PeriodTest {

  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");

  @Test
  void dates_cover_whole_days_and_the_end_date_is_included() {
    Period p = Period.parse("2026-03-01", "2026-03-31", clock);

    assertThat(p.from()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(p.to()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(p.partial(clock.instant())).isFalse();
  }

  @Test
  void instants_are_taken_as_given() {
    Period p = Period.parse("2026-03-01T06:00:00Z", "2026-03-01T18:00:00Z", clock);

    assertThat(p.elapsed(clock.instant())).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void a_period_running_into_the_future_is_partial_and_measured_up_to_now() {
    Period p = Period.parse("2026-04-01", "2026-04-30", clock);

    assertThat(p.partial(clock.instant())).isTrue();
    assertThat(p.elapsed(clock.instant())).isEqualTo(Duration.ofDays(9));
  }

  @Test
  void missing_inverted_unreadable_too_long_and_future_periods_are_refused_naming_the_end() {
    assertField(() -> Period.parse(null, "2026-03-31", clock), "from", "needs a start");
    assertField(() -> Period.parse("2026-03-01", "", clock), "to", "needs an end");
    assertField(() -> Period.parse("2026-03-31", "2026-03-01", clock), "to", "before it starts");
    assertField(() -> Period.parse("2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", clock), "to", "before it starts");
    assertField(() -> Period.parse("March", "2026-03-31", clock), "from", "neither a date");
    assertField(() -> Period.parse("2025-01-01", "2026-03-31", clock), "to", "longer than 366 days");
    assertField(() -> Period.parse("2026-05-01", "2026-05-31", clock), "from", "in the future");
  }

  @Test
  void a_leap_year_fits_in_one_period() {
    assertThat(Period.parse("2024-01-01", "2024-12-31", clock).to()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
  }

  private static void assertField(Runnable call, String field, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidInputException.class, e -> {
      assertThat(e.findings()).extracting(Finding::field).containsExactly(field);
      assertThat(e.getMessage()).contains(message);
    });
  }
}
