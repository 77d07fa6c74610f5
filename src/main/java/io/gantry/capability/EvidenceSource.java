package io.gantry.capability;

import java.util.Set;

/**
 * A module's judgement of the criteria it holds the records for. A criterion is judged by at most one source (the
 * assessment refuses to start when two claim one); a criterion no source judges is left to the assessor. A source
 * judges only from stored records, never from what a person said: what Gantry cannot see is left to the assessor.
 */
public interface EvidenceSource {

  /** The criteria this source judges. */
  Set<Criterion> criteria();

  /** The evidence for {@code criterion}, one of {@link #criteria()}, over the period. */
  Evidence evidence(Criterion criterion, AssessmentPeriod period);
}
