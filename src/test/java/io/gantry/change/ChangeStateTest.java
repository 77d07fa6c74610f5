package io.gantry.change;

import static io.gantry.change.ChangeState.ASSESSED;
import static io.gantry.change.ChangeState.AUTHORIZED;
import static io.gantry.change.ChangeState.CANCELLED;
import static io.gantry.change.ChangeState.CLOSED;
import static io.gantry.change.ChangeState.IMPLEMENTING;
import static io.gantry.change.ChangeState.NEW;
import static io.gantry.change.ChangeState.REJECTED;
import static io.gantry.change.ChangeState.SCHEDULED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The table of allowed state changes of a change, checked for every pair of states. */
class ChangeStateTest {

  private static final Map<ChangeState, Set<ChangeState>> EXPECTED = Map.of(
      NEW, EnumSet.of(ASSESSED, AUTHORIZED, CANCELLED),
      ASSESSED, EnumSet.of(AUTHORIZED, REJECTED, CANCELLED),
      AUTHORIZED, EnumSet.of(SCHEDULED, IMPLEMENTING, CANCELLED),
      SCHEDULED, EnumSet.of(IMPLEMENTING, CANCELLED),
      IMPLEMENTING, EnumSet.of(CLOSED),
      REJECTED, EnumSet.noneOf(ChangeState.class),
      CLOSED, EnumSet.noneOf(ChangeState.class),
      CANCELLED, EnumSet.noneOf(ChangeState.class));

  @Test
  void every_pair_of_states_is_allowed_exactly_as_the_lifecycle_says() {
    assertThat(EXPECTED.keySet()).containsExactlyInAnyOrder(ChangeState.values());
    int checked = 0;
    for (ChangeState from : ChangeState.values()) {
      for (ChangeState to : ChangeState.values()) {
        assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(EXPECTED.get(from).contains(to));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(64);
  }

  @Test
  void rejected_closed_and_cancelled_are_final_and_nothing_else_is() {
    for (ChangeState s : ChangeState.values()) {
      assertThat(s.isFinal()).as(s.name()).isEqualTo(s == REJECTED || s == CLOSED || s == CANCELLED);
    }
  }

  @Test
  void only_authorized_scheduled_and_implementing_changes_let_deployments_run() {
    for (ChangeState s : ChangeState.values()) {
      assertThat(s.authorizes()).as(s.name()).isEqualTo(s == AUTHORIZED || s == SCHEDULED || s == IMPLEMENTING);
    }
  }

  @Test
  void no_state_becomes_itself_or_goes_back_to_new() {
    for (ChangeState s : ChangeState.values()) {
      assertThat(s.canBecome(s)).as(s.name()).isFalse();
      assertThat(s.canBecome(NEW)).as(s.name()).isFalse();
    }
  }
}
