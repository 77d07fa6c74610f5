package io.gantry.deployment;

import java.time.Instant;

/** The work of one deployment on one target, in its batch; {@code previousVersion} is what to roll back to. */
public record TargetRun(long id, long deployment, String target, int batch, TargetRunState state,
    String previousVersion, Instant startedAt, Instant finishedAt, String outcome, long rowVersion) {}
