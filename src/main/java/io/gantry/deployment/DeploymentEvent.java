package io.gantry.deployment;

import java.time.Instant;

/**
 * One entry of a deployment's record, kept for good: a state transition, a wait (with what is waited
 * for), a step's start or end on a target, a log line, or an interruption found after a restart.
 */
public record DeploymentEvent(long id, long deployment, Instant at, Kind kind, DeploymentState from,
    DeploymentState to, String target, String step, String actor, String message) {

  /** What an entry records. */
  public enum Kind { TRANSITION, WAIT, TARGET, STEP, LOG, INTERRUPTION }
}
