package io.gantry.improvement;

import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The lifecycle of an improvement initiative. The one table of allowed changes is {@link #ALLOWED}. */
public enum InitiativeState {
  PROPOSED, APPROVED, IN_PROGRESS, IMPLEMENTED, EVALUATED, ABANDONED;

  private static final Map<InitiativeState, Set<InitiativeState>> ALLOWED = Map.of(
      PROPOSED, EnumSet.of(APPROVED, ABANDONED),
      APPROVED, EnumSet.of(IN_PROGRESS, ABANDONED),
      IN_PROGRESS, EnumSet.of(IMPLEMENTED, ABANDONED),
      IMPLEMENTED, EnumSet.of(EVALUATED, ABANDONED),
      EVALUATED, EnumSet.noneOf(InitiativeState.class),
      ABANDONED, EnumSet.noneOf(InitiativeState.class));

  public boolean canBecome(InitiativeState next) {
    return ALLOWED.get(this).contains(next);
  }

  /** The states it may become. */
  public Set<InitiativeState> next() {
    return ALLOWED.get(this);
  }

  /** The name used in the API and CLI: {@code in-progress}. */
  @com.fasterxml.jackson.annotation.JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The state of that id; refused naming {@code field} otherwise. */
  public static InitiativeState parse(String field, String id) {
    return Arrays.stream(values()).filter(s -> id != null && s.id().equals(id.strip().toLowerCase(Locale.ROOT)))
        .findFirst().orElseThrow(() -> InvalidInputException.of(field, "\"" + id + "\" is not a state of an "
            + "initiative; use one of " + Arrays.stream(values()).map(InitiativeState::id)
            .collect(Collectors.joining(", "))));
  }
}
