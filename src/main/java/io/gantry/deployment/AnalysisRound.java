package io.gantry.deployment;

import java.time.Instant;
import java.util.List;

/**
 * One round of one of a deployment's analyses, as other modules read it (the value stream map marks them on a
 * deployment's timeline): which analysis ({@code canary}, {@code switch} of a blue-green {@code target}'s idle
 * slot, or the stage's {@code verification}), when the round ran, how many of its results passed of how many,
 * and each metric's measurement; {@code analysisPassed} once the analysis has ended, else null.
 */
public record AnalysisRound(String analysis, String target, int round, Instant at, int passed, int total,
    List<Measured> measurements, Boolean analysisPassed) {

  /** A metric's measurement in the round: its verdict (PASSED, FAILED, INCONCLUSIVE), answer and whether it counted. */
  public record Measured(String metric, String verdict, String answer, boolean countedPassed) {}
}
