package io.gantry.change;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The lifecycle of a change. The one table of allowed changes is {@link #ALLOWED}. */
public enum ChangeState {
  NEW, ASSESSED, AUTHORIZED, REJECTED, SCHEDULED, IMPLEMENTING, CLOSED, CANCELLED;

  private static final Map<ChangeState, Set<ChangeState>> ALLOWED = Map.ofEntries(
      Map.entry(NEW, EnumSet.of(ASSESSED, AUTHORIZED, CANCELLED)),
      Map.entry(ASSESSED, EnumSet.of(AUTHORIZED, REJECTED, CANCELLED)),
      Map.entry(AUTHORIZED, EnumSet.of(SCHEDULED, IMPLEMENTING, CANCELLED)),
      Map.entry(SCHEDULED, EnumSet.of(IMPLEMENTING, CANCELLED)),
      Map.entry(IMPLEMENTING, EnumSet.of(CLOSED)),
      Map.entry(REJECTED, EnumSet.noneOf(ChangeState.class)),
      Map.entry(CLOSED, EnumSet.noneOf(ChangeState.class)),
      Map.entry(CANCELLED, EnumSet.noneOf(ChangeState.class)));

  public boolean canBecome(ChangeState next) {
    return ALLOWED.get(this).contains(next);
  }

  public boolean isFinal() {
    return ALLOWED.get(this).isEmpty();
  }

  /** Whether a change in this state lets deployments it covers run. */
  public boolean authorizes() {
    return this == AUTHORIZED || this == SCHEDULED || this == IMPLEMENTING;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
