package io.gantry.deployment;

import static io.gantry.deployment.StepRunState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StepRunStateTest {

  private static final Map<StepRunState, Set<StepRunState>> EXPECTED = Map.of(
      RUNNING, EnumSet.of(WAITING, SUCCEEDED, FAILED, UNKNOWN),
      WAITING, EnumSet.of(SUCCEEDED, FAILED),
      SUCCEEDED, EnumSet.noneOf(StepRunState.class),
      FAILED, EnumSet.noneOf(StepRunState.class),
      UNKNOWN, EnumSet.noneOf(StepRunState.class),
      SKIPPED, EnumSet.noneOf(StepRunState.class));

  @Test
  void every_pair_of_step_run_states_is_allowed_exactly_as_the_table_says() {
    for (StepRunState from : StepRunState.values()) {
      for (StepRunState to : StepRunState.values()) {
        assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(EXPECTED.get(from).contains(to));
      }
    }
  }

  @Test
  void a_step_ends_succeeded_failed_unknown_or_skipped_and_only_a_running_one_can_turn_out_unknown() {
    assertThat(EnumSet.allOf(StepRunState.class).stream().filter(StepRunState::isFinal))
        .containsExactlyInAnyOrder(SUCCEEDED, FAILED, UNKNOWN, SKIPPED);
    assertThat(EnumSet.allOf(StepRunState.class).stream().filter(s -> s.canBecome(UNKNOWN)))
        .containsExactly(RUNNING);
  }

  @Test
  void the_states_are_stored_under_the_names_the_step_runs_table_has_always_held() {
    assertThat(EnumSet.allOf(StepRunState.class)).extracting(Enum::name)
        .containsExactlyInAnyOrder("RUNNING", "WAITING", "SUCCEEDED", "FAILED", "UNKNOWN", "SKIPPED");
  }
}
