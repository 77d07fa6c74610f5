package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Time spent waiting for a target held by another deployment is waiting time of its own kind in the value stream map. */
class TargetBusyStretchTest {

  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  private static DeploymentEvent event(long id, int second, DeploymentEvent.Kind kind, DeploymentState to,
      DeploymentEvent.WaitKind waitingFor, String message) {
    return new DeploymentEvent(id, 1, T0.plusSeconds(second), kind, null, to, null, null, "gantry", message,
        waitingFor);
  }

  @Test
  void waiting_for_a_busy_target_is_cut_as_execution_waiting_time_of_kind_target_busy_until_the_first_step() {
    List<DeploymentEvent> record = List.of(
        event(1, 0, DeploymentEvent.Kind.TRANSITION, DeploymentState.EXECUTING, null, "executing"),
        event(2, 1, DeploymentEvent.Kind.WAIT, null, DeploymentEvent.WaitKind.TARGET_BUSY,
            "waiting for target t1 to be free: deployment #7 (shop/web) runs its steps there"),
        event(3, 31, DeploymentEvent.Kind.STEP, null, null, "execute step install started"),
        event(4, 33, DeploymentEvent.Kind.TRANSITION, DeploymentState.SUCCEEDED, null, "done"));

    List<Stretch> stretches = Stretch.cut(record, true, T0.plusSeconds(40));

    assertThat(stretches).filteredOn(Stretch::waiting).singleElement().satisfies(s -> {
      assertThat(s.waitingFor()).isEqualTo("TARGET_BUSY");
      assertThat(s.activity()).isEqualTo(Activity.of(DeploymentState.EXECUTING));
      assertThat(s.seconds()).isEqualTo(30.0);
    });
  }
}
