package io.gantry.deployment;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One run of one step on one target. The one table of allowed changes is {@link #ALLOWED}. A run
 * found RUNNING after a restart ended the engine that ran it: its outcome is UNKNOWN. A run starts
 * RUNNING, or SKIPPED when its target does not carry every tag the step names (it then ends there).
 */
public enum StepRunState {
  RUNNING, WAITING, SUCCEEDED, FAILED, UNKNOWN, SKIPPED;

  private static final Map<StepRunState, Set<StepRunState>> ALLOWED = Map.of(
      RUNNING, EnumSet.of(WAITING, SUCCEEDED, FAILED, UNKNOWN),
      WAITING, EnumSet.of(SUCCEEDED, FAILED),
      SUCCEEDED, EnumSet.noneOf(StepRunState.class),
      FAILED, EnumSet.noneOf(StepRunState.class),
      UNKNOWN, EnumSet.noneOf(StepRunState.class),
      SKIPPED, EnumSet.noneOf(StepRunState.class));

  public boolean canBecome(StepRunState next) {
    return ALLOWED.get(this).contains(next);
  }

  public boolean isFinal() {
    return ALLOWED.get(this).isEmpty();
  }
}
