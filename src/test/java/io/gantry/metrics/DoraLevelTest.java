package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bounds of each level, right at their edges. */
class DoraLevelTest {

  static final double HOUR = 3600;
  static final double DAY = 86400;

  @Test
  void deployment_frequency_more_than_daily_is_elite_weekly_high_monthly_medium() {
    assertThat(DoraLevel.frequency(1.01)).isEqualTo(DoraLevel.ELITE);
    assertThat(DoraLevel.frequency(1.0)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.frequency(1.0 / 7)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.frequency(0.14)).isEqualTo(DoraLevel.MEDIUM);
    assertThat(DoraLevel.frequency(1.0 / 30)).isEqualTo(DoraLevel.MEDIUM);
    assertThat(DoraLevel.frequency(0.03)).isEqualTo(DoraLevel.LOW);
    assertThat(DoraLevel.frequency(null)).isNull();
  }

  @Test
  void lead_time_under_a_day_is_elite_up_to_a_week_high_up_to_a_month_medium() {
    assertThat(DoraLevel.leadTime(DAY - 1)).isEqualTo(DoraLevel.ELITE);
    assertThat(DoraLevel.leadTime(DAY)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.leadTime(7 * DAY)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.leadTime(7 * DAY + 1)).isEqualTo(DoraLevel.MEDIUM);
    assertThat(DoraLevel.leadTime(30 * DAY)).isEqualTo(DoraLevel.MEDIUM);
    assertThat(DoraLevel.leadTime(30 * DAY + 1)).isEqualTo(DoraLevel.LOW);
  }

  @Test
  void change_fail_rate_up_to_5_percent_is_elite_up_to_20_high_else_low() {
    assertThat(DoraLevel.changeFailRate(0.0)).isEqualTo(DoraLevel.ELITE);
    assertThat(DoraLevel.changeFailRate(5.0)).isEqualTo(DoraLevel.ELITE);
    assertThat(DoraLevel.changeFailRate(5.1)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.changeFailRate(20.0)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.changeFailRate(20.1)).isEqualTo(DoraLevel.LOW);
  }

  @Test
  void recovery_under_an_hour_is_elite_under_a_day_high_else_low() {
    assertThat(DoraLevel.recovery(HOUR - 1)).isEqualTo(DoraLevel.ELITE);
    assertThat(DoraLevel.recovery(HOUR)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.recovery(DAY - 1)).isEqualTo(DoraLevel.HIGH);
    assertThat(DoraLevel.recovery(DAY)).isEqualTo(DoraLevel.LOW);
  }
}
