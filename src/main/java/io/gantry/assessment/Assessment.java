package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Judgement;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A capability self-assessment of a period: who made it and when, and each of the 14 criteria in Table 7.1's order. */
public record Assessment(long id, Instant from, Instant to, String createdBy, Instant createdAt,
    List<CriterionAssessment> criteria) {

  public Assessment {
    criteria = List.copyOf(criteria);
  }

  public AssessmentPeriod period() {
    return new AssessmentPeriod(from, to);
  }

  /** The capability level its deciding judgements reach (section 7.2). */
  public int level() {
    Map<Criterion, Judgement> judgements = new EnumMap<>(Criterion.class);
    criteria.forEach(c -> {
      if (c.judgement() != null) {
        judgements.put(c.criterion(), c.judgement());
      }
    });
    return CapabilityLevel.of(judgements);
  }

  /** How many criteria are met by their deciding judgement. */
  public long met() {
    return criteria.stream().filter(c -> c.judgement() == Judgement.MET).count();
  }

  public CriterionAssessment criterion(Criterion criterion) {
    return criteria.stream().filter(c -> c.criterion() == criterion).findFirst().orElseThrow();
  }
}
