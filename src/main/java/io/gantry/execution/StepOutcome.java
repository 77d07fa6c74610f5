package io.gantry.execution;

/** How a step ended on a target. Failures are values with a reason a person can act on, never exceptions. */
public sealed interface StepOutcome {

  /** The step did what it should; {@code summary} says what, in one line. */
  record Succeeded(String summary) implements StepOutcome {}

  /** The step did not do what it should; {@code reason} says why, in words an operator can act on. */
  record Failed(String reason) implements StepOutcome {}

  /** Only a person can finish this step (do the manual work, or approve); {@code what} says what they must do. */
  record NeedsPerson(String what) implements StepOutcome {}
}
