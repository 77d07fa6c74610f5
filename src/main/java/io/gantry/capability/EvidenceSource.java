package io.gantry.capability;

import java.util.Set;

/**
 * A module's judgement of the criteria it holds the records for. Every criterion is judged by exactly one source
 * (the assessment refuses to start otherwise); a source judges only from stored records, never from what a person
 * said: what Gantry cannot see is left to the assessor.
 */
public interface EvidenceSource {

  /** The criteria this source judges. */
  Set<Criterion> criteria();

  /** The evidence for {@code criterion}, one of {@link #criteria()}, over the period. */
  Evidence evidence(Criterion criterion, AssessmentPeriod period);
}
