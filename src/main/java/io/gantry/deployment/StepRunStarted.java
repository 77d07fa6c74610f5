package io.gantry.deployment;

import java.time.Instant;

/** A step started on a target of a deployment. Published inside the transaction that recorded it. */
public record StepRunStarted(long deployment, String target, StepRun step, Instant at) {}
