package io.gantry.execution;

/** Ends a step early with a reason; {@link StepRunner} turns it into {@link StepOutcome.Failed}. */
final class StepFailure extends RuntimeException {

  StepFailure(String reason) {
    super(reason, null, false, false);
  }
}
