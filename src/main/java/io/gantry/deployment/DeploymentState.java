package io.gantry.deployment;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The lifecycle of a deployment. The one table of allowed changes is {@link #ALLOWED}. */
public enum DeploymentState {
  REQUESTED, PLANNED, COMPONENTS_VERIFIED, ENVIRONMENT_VERIFIED, EXECUTING, VERIFYING, ROLLING_BACK,
  SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED;

  private static final Map<DeploymentState, Set<DeploymentState>> ALLOWED = Map.ofEntries(
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

  public boolean canBecome(DeploymentState next) {
    return ALLOWED.get(this).contains(next);
  }

  public boolean isFinal() {
    return ALLOWED.get(this).isEmpty();
  }
}
