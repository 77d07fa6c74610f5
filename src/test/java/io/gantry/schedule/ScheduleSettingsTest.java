package io.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The schedule's settings: window expiry and the usual length of a deployment. */
class ScheduleSettingsTest {

  @Test
  void window_expiry_is_none_or_a_duration_and_the_usual_length_a_duration() {
    assertThat(new ScheduleSettings("none", "1h").windowExpiry).isNull();
    assertThat(new ScheduleSettings("0s", "1h").windowExpiry).isZero();
    assertThat(new ScheduleSettings(" 12h ", "45m").windowExpiry).isEqualTo(Duration.ofHours(12));
    assertThat(new ScheduleSettings("0s", "45m").defaultDuration).isEqualTo(Duration.ofMinutes(45));
  }

  @Test
  void a_setting_that_cannot_be_read_stops_the_start_naming_the_property() {
    assertThatThrownBy(() -> new ScheduleSettings("soon", "1h")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("gantry.schedule.window-expiry=soon: ").hasMessageEndingWith(", or none");
    assertThatThrownBy(() -> new ScheduleSettings("0s", "0s"))
        .hasMessageContaining("gantry.schedule.default-duration=0s").hasMessageContaining("longer than 0");
    assertThatThrownBy(() -> new ScheduleSettings("0s", "none"))
        .hasMessageStartingWith("gantry.schedule.default-duration=none");
  }
}
