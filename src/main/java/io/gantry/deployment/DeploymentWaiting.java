package io.gantry.deployment;

import java.time.Instant;

/**
 * A deployment started to wait ({@code waitingFor} says for what kind of thing; {@code message} what exactly).
 * Published inside the transaction that recorded the wait, once per wait (not again while it lasts).
 */
public record DeploymentWaiting(long deployment, DeploymentEvent.WaitKind waitingFor, String message, Instant at) {

  /** Whether a person is waited on: an approval, a manual step, a decision after a failure, a confirmation. */
  public boolean forPerson() {
    return switch (waitingFor) {
      case APPROVAL, MANUAL, DECISION, ENTRY_CONFIRMATION, EXIT_CONFIRMATION -> true;
      default -> false;
    };
  }
}
