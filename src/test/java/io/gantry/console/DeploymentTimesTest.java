package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a deployment's pages write times: UTC to the second, durations short and readable. */
class DeploymentTimesTest {

  @Test
  void instants_are_written_in_utc_to_the_second_and_a_missing_one_stays_missing() {
    assertThat(DeploymentTimes.of(Instant.parse("2026-12-04T20:17:31.456Z"))).isEqualTo("2026-12-04 20:17:31 UTC");
    assertThat(DeploymentTimes.of(null)).isNull();
  }

  @Test
  void durations_are_written_in_the_largest_fitting_units() {
    assertThat(DeploymentTimes.seconds(0)).isEqualTo("0s");
    assertThat(DeploymentTimes.seconds(4.72)).isEqualTo("4.7s");
    assertThat(DeploymentTimes.seconds(42)).isEqualTo("42s");
    assertThat(DeploymentTimes.seconds(125)).isEqualTo("2m 5s");
    assertThat(DeploymentTimes.seconds(3 * 3600 + 7 * 60)).isEqualTo("3h 7m");
    assertThat(DeploymentTimes.seconds(2 * 86400 + 5 * 3600)).isEqualTo("2d 5h");
    assertThat(DeploymentTimes.duration(Instant.parse("2026-12-04T20:00:00Z"), Instant.parse("2026-12-04T20:01:30Z")))
        .isEqualTo("1m 30s");
  }
}
