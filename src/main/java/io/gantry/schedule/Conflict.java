package io.gantry.schedule;

import java.time.Instant;

/**
 * A conflict found for a deployment, as recorded: its kind, the other side ({@code subject}: another
 * deployment, a freeze or a required component), and a message naming both sides.
 */
record Conflict(long id, long deployment, Kind kind, String subject, Long otherDeployment, Long freeze,
    String message, Instant foundAt) {

  enum Kind {
    /** Two unfinished deployments at the same time on one environment and service, or on one target. */
    OVERLAP,
    /** A deployment planned inside a freeze. */
    FREEZE,
    /** A deployment that ran inside a freeze as an emergency change. */
    FREEZE_OVERRIDDEN,
    /** A requirement on another component that the environment does not meet. */
    DEPENDENCY
  }

  /** A conflict just found, not yet recorded. */
  record Found(Kind kind, String subject, Long otherDeployment, Long freeze, String message) {}
}
