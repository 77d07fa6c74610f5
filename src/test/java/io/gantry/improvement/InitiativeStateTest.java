package io.gantry.improvement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The one table of an initiative's allowed changes of state, exhaustively. */
class InitiativeStateTest {

  @Test
  void the_table_of_allowed_changes_is_the_lifecycle_of_an_initiative() {
    for (InitiativeState from : InitiativeState.values()) {
      for (InitiativeState to : InitiativeState.values()) {
        boolean allowed = switch (from) {
          case PROPOSED -> to == InitiativeState.APPROVED || to == InitiativeState.ABANDONED;
          case APPROVED -> to == InitiativeState.IN_PROGRESS || to == InitiativeState.ABANDONED;
          case IN_PROGRESS -> to == InitiativeState.IMPLEMENTED || to == InitiativeState.ABANDONED;
          case IMPLEMENTED -> to == InitiativeState.EVALUATED || to == InitiativeState.ABANDONED;
          case EVALUATED, ABANDONED -> false;
        };
        assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(allowed);
      }
    }
    assertThat(EnumSet.allOf(InitiativeState.class)).extracting(InitiativeState::id)
        .contains("in-progress", "evaluated");
  }
}
