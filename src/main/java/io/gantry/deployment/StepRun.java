package io.gantry.deployment;

import java.time.Instant;

/**
 * One run of one step on one target. Written as RUNNING before the step is acted on, so a run found
 * RUNNING after a restart is a step whose outcome is unknown.
 */
public record StepRun(long id, long targetRun, String phase, int index, String name, String type,
    boolean idempotent, int attempt, StepRunState state, Instant startedAt, Instant finishedAt, String output,
    String outcome) {}
