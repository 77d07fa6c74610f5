package io.gantry.deployment;

import java.time.Instant;

/**
 * A deployment moved from one state to another ({@code before.state()} to {@code after.state()}). Published
 * synchronously inside the transaction that wrote the move: a listener's writes share its fate.
 *
 * @param after the deployment as it now reads
 */
public record DeploymentTransitioned(Deployment before, Deployment after, String actor, String message, Instant at) {

  /** Whether this move started the deployment's work (its first move other than a cancellation). */
  public boolean started() {
    return before.startedAt() == null && after.startedAt() != null;
  }
}
