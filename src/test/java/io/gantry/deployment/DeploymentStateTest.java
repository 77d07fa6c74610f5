package io.gantry.deployment;

import static io.gantry.deployment.DeploymentState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeploymentStateTest {

  private static final Map<DeploymentState, Set<DeploymentState>> EXPECTED = Map.ofEntries(
      Map.entry(REQUESTED, EnumSet.of(PLANNED, FAILED, CANCELLED)),
      Map.entry(PLANNED, EnumSet.of(COMPONENTS_VERIFIED, FAILED, CANCELLED)),
      Map.entry(COMPONENTS_VERIFIED, EnumSet.of(ENVIRONMENT_VERIFIED, FAILED, CANCELLED)),
      Map.entry(ENVIRONMENT_VERIFIED, EnumSet.of(EXECUTING, FAILED, CANCELLED)),
      Map.entry(EXECUTING, EnumSet.of(VERIFYING, FAILED, ROLLING_BACK)),
      Map.entry(VERIFYING, EnumSet.of(SUCCEEDED, FAILED, ROLLING_BACK)),
      Map.entry(ROLLING_BACK, EnumSet.of(ROLLED_BACK, FAILED)),
      Map.entry(SUCCEEDED, EnumSet.noneOf(DeploymentState.class)),
      Map.entry(FAILED, EnumSet.noneOf(DeploymentState.class)),
      Map.entry(ROLLED_BACK, EnumSet.noneOf(DeploymentState.class)),
      Map.entry(CANCELLED, EnumSet.noneOf(DeploymentState.class)));

  @Test
  void every_pair_of_deployment_states_is_allowed_exactly_as_the_lifecycle_says() {
    for (DeploymentState from : DeploymentState.values()) {
      for (DeploymentState to : DeploymentState.values()) {
        assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(EXPECTED.get(from).contains(to));
      }
    }
  }

  @Test
  void only_the_four_end_states_are_final_and_nothing_can_be_cancelled_once_it_executes() {
    assertThat(EnumSet.allOf(DeploymentState.class).stream().filter(DeploymentState::isFinal))
        .containsExactlyInAnyOrder(SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED);
    assertThat(EXECUTING.canBecome(CANCELLED)).isFalse();
  }

  @Test
  void every_pair_of_target_run_states_is_allowed_exactly_as_the_table_says() {
    Map<TargetRunState, Set<TargetRunState>> expected = Map.of(
        TargetRunState.PENDING, EnumSet.of(TargetRunState.RUNNING, TargetRunState.SKIPPED),
        TargetRunState.RUNNING, EnumSet.of(TargetRunState.SUCCEEDED, TargetRunState.FAILED, TargetRunState.ROLLING_BACK),
        TargetRunState.SUCCEEDED, EnumSet.of(TargetRunState.ROLLING_BACK),
        TargetRunState.FAILED, EnumSet.of(TargetRunState.ROLLING_BACK, TargetRunState.RUNNING, TargetRunState.SKIPPED),
        TargetRunState.ROLLING_BACK, EnumSet.of(TargetRunState.ROLLED_BACK, TargetRunState.FAILED),
        TargetRunState.ROLLED_BACK, EnumSet.noneOf(TargetRunState.class),
        TargetRunState.SKIPPED, EnumSet.noneOf(TargetRunState.class));
    for (TargetRunState from : TargetRunState.values()) {
      for (TargetRunState to : TargetRunState.values()) {
        assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(expected.get(from).contains(to));
      }
    }
  }
}
