package io.gantry.deployment;

import java.time.Instant;

/**
 * A step's run on a target ended ({@code state} is final: succeeded, failed or unknown). Published inside the
 * transaction that recorded it. A step that waits for a person publishes nothing until it ends.
 *
 * @param step the run as it was before it ended
 */
public record StepRunFinished(long deployment, String target, StepRun step, StepRunState state, String outcome,
    Instant at) {}
