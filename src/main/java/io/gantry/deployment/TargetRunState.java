package io.gantry.deployment;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The work of one deployment on one target. The one table of allowed changes is {@link #ALLOWED}. */
public enum TargetRunState {
  PENDING, RUNNING, SUCCEEDED, FAILED, ROLLING_BACK, ROLLED_BACK, SKIPPED;

  private static final Map<TargetRunState, Set<TargetRunState>> ALLOWED = Map.of(
      PENDING, EnumSet.of(RUNNING, SKIPPED),
      RUNNING, EnumSet.of(SUCCEEDED, FAILED, ROLLING_BACK),
      SUCCEEDED, EnumSet.of(ROLLING_BACK),
      FAILED, EnumSet.of(ROLLING_BACK, RUNNING, SKIPPED),
      ROLLING_BACK, EnumSet.of(ROLLED_BACK, FAILED),
      ROLLED_BACK, EnumSet.noneOf(TargetRunState.class),
      SKIPPED, EnumSet.noneOf(TargetRunState.class));

  public boolean canBecome(TargetRunState next) {
    return ALLOWED.get(this).contains(next);
  }
}
