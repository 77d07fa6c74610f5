package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import java.time.Instant;

/** One movement of a component version into one environment, following one stage of a model. */
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
    long rowVersion) {}
