package io.gantry.improvement;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.improvement.Initiative.LinkKind;
import io.gantry.model.DeploymentModel;
import io.gantry.model.Models;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/**
 * Judges from the reviews, initiatives and failures Gantry holds whether the deployment approach (Table 7.1, level 5,
 * "regularly reviewed and continually improved") and the deployment models are reviewed and improved.
 */
@Component
class ImprovementEvidence implements EvidenceSource {

  private final Reviews reviews;
  private final Initiatives initiatives;
  private final ModelsInForce inForce;
  private final FailureAnalysis failures;
  private final Models models;

  ImprovementEvidence(Reviews reviews, Initiatives initiatives, ModelsInForce inForce, FailureAnalysis failures,
      Models models) {
    this.reviews = reviews;
    this.initiatives = initiatives;
    this.inForce = inForce;
    this.failures = failures;
    this.models = models;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.APPROACH_IMPROVED, Criterion.MODELS_IMPROVED);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    return switch (criterion) {
      case APPROACH_IMPROVED -> approach(period);
      case MODELS_IMPROVED -> models(period);
      default -> throw new IllegalArgumentException("the improvement module does not judge " + criterion.id());
    };
  }

  /** Met: deployments were reviewed and initiatives had their effect measured in the period; partly: one of them. */
  private Evidence approach(AssessmentPeriod period) {
    int reviewed = reviews.writtenBetween(period.from(), period.to()).size();
    List<Initiative> all = initiatives.all(null);
    long registered = all.stream().filter(i -> within(i.createdAt(), period)).count();
    List<Initiative> measured = all.stream().filter(i -> i.state() == InitiativeState.EVALUATED
        && i.history().stream().anyMatch(t -> t.to() == InitiativeState.EVALUATED && within(t.at(), period)))
        .toList();
    long asExpected = measured.stream().filter(i -> i.effects().stream()
        .anyMatch(e -> Boolean.TRUE.equals(e.asExpected()))).count();
    List<String> facts = List.of(reviewed + " deployment reviews written", registered + " improvement initiatives "
        + "registered", measured.size() + " initiatives evaluated with a measured effect, " + asExpected
        + " of them moved their KPI as expected");
    String counts = reviewed + " reviews and " + measured.size() + " initiatives with a measured effect in the period";
    if (reviewed > 0 && !measured.isEmpty()) {
      return new Evidence(Criterion.APPROACH_IMPROVED, Judgement.MET, counts
          + ": deployments are reviewed and improvements are measured", facts);
    }
    if (reviewed > 0 || registered > 0 || !measured.isEmpty()) {
      return new Evidence(Criterion.APPROACH_IMPROVED, Judgement.PARTLY_MET, counts + " (" + registered
          + " registered): " + (reviewed == 0 ? "no deployment was reviewed" : "no initiative's effect was measured"),
          facts);
    }
    return new Evidence(Criterion.APPROACH_IMPROVED, Judgement.NOT_MET, "no deployment review, no improvement "
        + "initiative registered or evaluated in the period", facts);
  }

  /**
   * Met: model versions came into force in the period, at least one implementing an initiative, and, when
   * deployments failed, at least one of the period's failure causes is linked to an implemented or evaluated
   * initiative; partly: versions came into force but one of those is missing; not met: no version came into force.
   */
  private Evidence models(AssessmentPeriod period) {
    List<String> changed = new ArrayList<>();
    for (DeploymentModel m : models.all()) {
      for (int v : inForce.between(m.name(), period.from(), period.to())) {
        if (v > 1) {
          changed.add(m.name() + " v" + v);
        }
      }
    }
    List<Initiative> all = initiatives.all(null);
    List<String> implementing = changed.stream().filter(mv -> all.stream().anyMatch(i -> i.model() != null
        && mv.equals(i.model() + " v" + i.modelVersion()))).toList();
    Set<String> causes = new TreeSet<>();
    failures.failures(period.from(), period.to(), null).forEach(f -> causes.add(f.signature()));
    Set<String> addressed = new TreeSet<>();
    all.stream().filter(i -> i.state() == InitiativeState.IMPLEMENTED || i.state() == InitiativeState.EVALUATED)
        .flatMap(i -> i.links().stream()).filter(l -> l.kind() == LinkKind.FAILURE && causes.contains(l.ref()))
        .forEach(l -> addressed.add(l.ref()));
    List<String> facts = List.of(changed.size() + " model versions came into force (after a model's first)"
        + (changed.isEmpty() ? "" : ": " + String.join(", ", changed)),
        implementing.size() + " of them implement an improvement initiative",
        causes.size() + " distinct failure causes, " + addressed.size() + " addressed by an implemented initiative");
    String counts = changed.size() + " model versions came into force, " + implementing.size()
        + " implementing an initiative; " + addressed.size() + " of " + causes.size() + " failure causes addressed";
    if (changed.isEmpty()) {
      return new Evidence(Criterion.MODELS_IMPROVED, Judgement.NOT_MET, "no model was changed in the period; "
          + counts, facts);
    }
    if (!implementing.isEmpty() && (causes.isEmpty() || !addressed.isEmpty())) {
      return new Evidence(Criterion.MODELS_IMPROVED, Judgement.MET, counts, facts);
    }
    return new Evidence(Criterion.MODELS_IMPROVED, Judgement.PARTLY_MET, counts + (implementing.isEmpty()
        ? ": no new version implements an improvement initiative" : ": no failure cause is addressed"), facts);
  }

  private static boolean within(Instant at, AssessmentPeriod period) {
    return at != null && !at.isBefore(period.from()) && at.isBefore(period.to());
  }
}
