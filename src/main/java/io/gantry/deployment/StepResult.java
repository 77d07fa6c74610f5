package io.gantry.deployment;

import io.gantry.model.Step;

import java.time.Instant;

/**
 * Why the steps on a target stopped: a failure, something to wait for (a person, or the time to try a
 * failed step again, {@code lookAgainAt}), or neither (all done).
 */
record StepResult(String waitFor, DeploymentEvent.WaitKind waitKind, String failure, Instant lookAgainAt) {

  static final StepResult DONE = new StepResult(null, null, null, null);

  static StepResult failed(String failure) {
    return new StepResult(null, null, failure, null);
  }

  /** A failed step waits for its retry delay to pass before it is tried again at {@code at}. */
  static StepResult retryAt(String what, Instant at) {
    return new StepResult(what, DeploymentEvent.WaitKind.RETRY, null, at);
  }

  /** The steps on a target wait for another deployment, named in {@code what}, to let go of it. */
  static StepResult targetBusy(String what) {
    return new StepResult(what, DeploymentEvent.WaitKind.TARGET_BUSY, null, null);
  }

  /** A manual step waits for someone to do the work; an approval step for someone to approve. */
  static StepResult waiting(Step step, String what) {
    return waiting(step, what, null);
  }

  /** As {@link #waiting(Step, String)}, until {@code expiresAt} (the step's timeout), when it is looked at again. */
  static StepResult waiting(Step step, String what, Instant expiresAt) {
    return new StepResult(what, step instanceof Step.Approval ? DeploymentEvent.WaitKind.APPROVAL
        : DeploymentEvent.WaitKind.MANUAL, null, expiresAt);
  }
}
