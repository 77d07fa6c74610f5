package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Scope;
import java.time.Instant;

/**
 * One movement of a component version into one environment, following one stage of a model.
 *
 * @param kind whether the version is installed or the component removed
 * @param plannedStart when it was asked to start (deploy --at); null means as soon as it may
 * @param plannedEnd when it is expected to have ended; null when no end was planned
 * @param priority its place among queued deployments to the same environment and component: higher first
 */
public record Deployment(
    long id,
    ComponentRef component,
    String version,
    String environment,
    String model,
    int modelVersion,
    String stage,
    DeploymentState state,
    String requestedBy,
    Instant requestedAt,
    String reason,
    Instant startedAt,
    Instant finishedAt,
    String outcome,
    Kind kind,
    Instant plannedStart,
    Instant plannedEnd,
    int priority,
    long rowVersion) {

  /** Where it acts, and where it is read from: its component's service in its environment. */
  public Scope scope() {
    return new Scope(component.service(), environment);
  }

  /**
   * Whether a deployment installs a version or removes the component from the environment, or is a
   * deployment another tool did that was recorded afterwards ({@code EXTERNAL}: final from the start, no
   * targets, never run by the engine, no evidence for Gantry's promotion rules or triggers).
   */
  public enum Kind {
    DEPLOY, UNDEPLOY, EXTERNAL;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
