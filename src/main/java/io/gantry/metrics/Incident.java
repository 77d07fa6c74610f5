package io.gantry.metrics;

import java.time.Instant;
import java.util.List;

/**
 * A service interruption or degradation, recorded with when it was detected and resolved, and
 * linked to the deployment that caused it: named by whoever reported it, or found by rule (the
 * latest successful deployment of the service into the incident's production environment that ended
 * before the incident was detected), or none.
 *
 * @param remediations the deployments made to fix it
 */
public record Incident(long id, String service, String environment, Severity severity, String title,
    String reference, Instant detectedAt, Instant resolvedAt, Long deployment, Link linkedBy, String reportedBy,
    Instant reportedAt, String resolvedBy, List<Long> remediations, long rowVersion) {

  /** How the incident came to be linked to its deployment. */
  public enum Link {
    /** The reporter named the deployment. */
    EXPLICIT,
    /** Found by rule when it was reported. */
    RULE,
    /** No deployment: none named and none found. */
    NONE
  }
}
