package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Every module's {@link EvidenceSource}, each criterion with the one source that judges it. Two sources claiming
 * one criterion is a defect of the build: Gantry refuses to start, naming both.
 */
@Component
class EvidenceSources {

  private final Map<Criterion, EvidenceSource> byCriterion = new EnumMap<>(Criterion.class);

  @Autowired
  EvidenceSources(ObjectProvider<EvidenceSource> sources) {
    this(sources.orderedStream().toList());
  }

  EvidenceSources(List<EvidenceSource> sources) {
    for (EvidenceSource source : sources) {
      for (Criterion c : source.criteria()) {
        EvidenceSource other = byCriterion.putIfAbsent(c, source);
        if (other != null) {
          throw new IllegalStateException("capability criterion " + c.id() + " is claimed by two evidence sources, "
              + name(other) + " and " + name(source) + "; exactly one source may judge a criterion");
        }
      }
    }
  }

  /** The source that judges {@code criterion}, if any. */
  Optional<EvidenceSource> of(Criterion criterion) {
    return Optional.ofNullable(byCriterion.get(criterion));
  }

  /** The evidence of {@code criterion} over {@code period}, or empty when no source judges it. */
  Optional<Evidence> evidence(Criterion criterion, AssessmentPeriod period) {
    return of(criterion).map(source -> {
      Evidence e = source.evidence(criterion, period);
      if (e == null || e.criterion() != criterion) {
        throw new IllegalStateException(name(source) + " answered " + (e == null ? "nothing" : "evidence of "
            + e.criterion().id()) + " when asked for " + criterion.id());
      }
      return e;
    });
  }

  private static String name(EvidenceSource source) {
    return AopUtils.getTargetClass(source).getName();
  }
}
