package io.gantry.metrics;

import io.gantry.deployment.DeploymentState;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lifecycle activities of a deployment (practice guide 3.1.2), each the time a deployment spends
 * in one state until its next transition: planning while REQUESTED, verification of components
 * while PLANNED, and so on.
 */
enum Activity {
  PLANNING(DeploymentState.REQUESTED),
  COMPONENT_VERIFICATION(DeploymentState.PLANNED),
  ENVIRONMENT_VERIFICATION(DeploymentState.COMPONENTS_VERIFIED),
  EXECUTION_START(DeploymentState.ENVIRONMENT_VERIFIED),
  EXECUTION(DeploymentState.EXECUTING),
  DEPLOYMENT_VERIFICATION(DeploymentState.VERIFYING),
  ROLLBACK(DeploymentState.ROLLING_BACK);

  final DeploymentState state;

  Activity(DeploymentState state) {
    this.state = state;
  }

  String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The activity of a deployment in this state; null for a final state. */
  static Activity of(DeploymentState state) {
    return Arrays.stream(values()).filter(a -> a.state == state).findFirst().orElse(null);
  }
}
