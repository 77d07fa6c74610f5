package io.gantry.trigger;

import java.time.Instant;

/**
 * One firing of a trigger for one cause: the deployment it requested, or why the request was refused.
 *
 * @param trigger the trigger as its model declares it, e.g. {@code stage-succeeded(dev->test)}
 * @param cause what made it fire, as the key that keeps it from firing twice (a version, a deployment,
 *     a schedule's firing time and a component)
 * @param reason the cause in words, also the deployment's reason
 * @param refusal why the request was refused; null when it was not
 */
record Firing(long id, String model, int modelVersion, String trigger, String cause, String component,
    String version, String stage, String environment, Status status, Long deployment, String requestedBy,
    String reason, String refusal, Instant firedAt) {

  /** What became of the firing's request. */
  public enum Status {
    /** A deployment was requested. */
    REQUESTED,
    /** The request was refused; it is not tried again for this cause. */
    REFUSED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
