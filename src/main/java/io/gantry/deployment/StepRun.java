package io.gantry.deployment;

import java.time.Instant;

/**
 * One run of one step on one target. Written as RUNNING before the step is acted on, so a run found
 * RUNNING after a restart is a step whose outcome is unknown.
 *
 * @param output the last bytes of what the step printed ({@code gantry.engine.output-tail})
 * @param outputFile where all of it is, relative to the data folder; null if none was kept
 * @param outputSize how many bytes it printed in all; null if not captured
 * @param outputSha256 the SHA-256 of all of it, in hex; null if no file was kept
 */
public record StepRun(long id, long targetRun, String phase, int index, String name, String type,
    boolean idempotent, int attempt, StepRunState state, Instant startedAt, Instant finishedAt, String output,
    String outcome, String outputFile, Long outputSize, String outputSha256) {}
