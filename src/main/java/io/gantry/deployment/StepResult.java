package io.gantry.deployment;

import io.gantry.model.Step;

/** Why the steps on a target stopped: a failure, a person to wait for, or neither (all done). */
record StepResult(String waitFor, DeploymentEvent.WaitKind waitKind, String failure) {

  static final StepResult DONE = new StepResult(null, null, null);

  static StepResult failed(String failure) {
    return new StepResult(null, null, failure);
  }

  /** A manual step waits for someone to do the work; an approval step for someone to approve. */
  static StepResult waiting(Step step, String what) {
    return new StepResult(what, step instanceof Step.Approval ? DeploymentEvent.WaitKind.APPROVAL
        : DeploymentEvent.WaitKind.MANUAL, null);
  }
}
