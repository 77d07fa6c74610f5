package io.gantry.deployment;

/**
 * An engine wrote for a deployment under a claim that is no longer its own: its lease ran out and
 * another engine claimed the deployment (a higher fencing token), or the claim was released. Nothing
 * was written; the engine stops its work on the deployment and never retries the write.
 */
final class LeaseLost extends RuntimeException {

  private final long deployment;

  LeaseLost(long deployment, String message) {
    super(message, null, false, false);
    this.deployment = deployment;
  }

  long deployment() {
    return deployment;
  }
}
