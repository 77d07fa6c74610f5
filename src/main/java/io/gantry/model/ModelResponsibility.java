package io.gantry.model;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Who answers for the deployment models and whether their versions in force were agreed, as the capability
 * assessment reads it (practice guide Table 7.1, "an approach to deployment is defined and agreed" and "responsibility
 * for the approach is clearly defined"). Each model is judged by the version that was in force at the end of the
 * period; a model retired then, or not yet made, does not count.
 */
@Component
public class ModelResponsibility implements EvidenceSource {

  private final Models models;

  public ModelResponsibility(Models models) {
    this.models = models;
  }

  /** One active model at an instant: its owner, reviewers and stakeholders, and whether its version was agreed. */
  public record ModelStanding(String model, int version, String owner, List<String> reviewers,
      List<String> stakeholders, boolean agreed) {}

  /**
   * The models at an instant, for an assessment: how many are active, how many have an owner, how many follow a
   * version agreed by its owner and reviewers, and how many proposals were waiting then.
   */
  public record Summary(int models, int withOwner, int agreedInForce, int proposalsWaiting,
      List<ModelStanding> standings) {}

  /** The models as they stood at {@code at}. */
  public Summary summary(Instant at) {
    List<ModelStanding> standings = new ArrayList<>();
    int waiting = 0;
    for (DeploymentModel m : models.all()) {
      List<ModelVersion> versions = models.versions(m.name());
      Optional<ModelVersion> inForce = versions.stream()
          .filter(v -> v.inForceAt() != null && v.inForceAt().isBefore(at)).findFirst();
      waiting += (int) versions.stream().filter(v -> v.createdAt().isBefore(at)
          && (v.endedAt() == null || !v.endedAt().isBefore(at)) && v.signers().size() > 0
          && (v.inForceAt() == null || !v.inForceAt().isBefore(at))).count();
      if (inForce.isEmpty() || inForce.get().text() == null) {
        continue;
      }
      ModelVersion v = inForce.get();
      DeploymentModelSpec spec = ModelDocuments.parse(m.name(), v.text()).spec();
      standings.add(new ModelStanding(m.name(), v.number(), spec.owner(), spec.reviewers(), spec.stakeholders(),
          !v.signers().isEmpty()));
    }
    return new Summary(standings.size(), (int) standings.stream().filter(s -> s.owner() != null).count(),
        (int) standings.stream().filter(s -> s.owner() != null && s.agreed()).count(), waiting,
        List.copyOf(standings));
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.APPROACH_DEFINED_AND_AGREED, Criterion.APPROACH_RESPONSIBILITY);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    Summary s = summary(period.to());
    return switch (criterion) {
      case APPROACH_DEFINED_AND_AGREED -> agreed(s);
      case APPROACH_RESPONSIBILITY -> responsibility(s);
      default -> throw new IllegalArgumentException("models do not judge " + criterion.id());
    };
  }

  private static Evidence agreed(Summary s) {
    Criterion c = Criterion.APPROACH_DEFINED_AND_AGREED;
    List<String> facts = List.of(s.withOwner() + " of " + s.models() + " models have an owner",
        s.agreedInForce() + " of " + s.models() + " models follow a version agreed by its owner and reviewers",
        s.proposalsWaiting() + " proposals were awaiting agreement");
    if (s.models() == 0) {
      return new Evidence(c, Judgement.NOT_MET, "no deployment model was in force at the end of the period", facts);
    }
    List<String> short_ = s.standings().stream().filter(m -> m.owner() == null || !m.agreed())
        .map(m -> m.model() + " v" + m.version() + (m.owner() == null ? " (no owner)" : " (not agreed)")).toList();
    Judgement j = short_.isEmpty() ? Judgement.MET : s.agreedInForce() > 0 ? Judgement.PARTLY_MET : Judgement.NOT_MET;
    String reason = short_.isEmpty()
        ? "every one of the " + s.models() + " models has an owner and follows a version its owner and reviewers agreed"
        : s.agreedInForce() + " of " + s.models() + " models follow an agreed version with an owner; short: "
            + String.join(", ", short_);
    return new Evidence(c, j, reason, facts);
  }

  private static Evidence responsibility(Summary s) {
    Criterion c = Criterion.APPROACH_RESPONSIBILITY;
    long named = s.standings().stream()
        .filter(m -> m.owner() != null && (!m.reviewers().isEmpty() || !m.stakeholders().isEmpty())).count();
    List<String> facts = List.of(s.withOwner() + " of " + s.models() + " models have an owner",
        named + " of " + s.models() + " models name an owner and reviewers or stakeholders");
    if (s.models() == 0) {
      return new Evidence(c, Judgement.NOT_MET, "no deployment model was in force at the end of the period", facts);
    }
    List<String> short_ = s.standings().stream()
        .filter(m -> m.owner() == null || (m.reviewers().isEmpty() && m.stakeholders().isEmpty()))
        .map(m -> m.model() + (m.owner() == null ? " (no owner)" : " (no reviewers or stakeholders)")).toList();
    Judgement j = short_.isEmpty() ? Judgement.MET : s.withOwner() > 0 ? Judgement.PARTLY_MET : Judgement.NOT_MET;
    String reason = short_.isEmpty()
        ? "every one of the " + s.models() + " models has an owner and names reviewers or stakeholders"
        : named + " of " + s.models() + " models have an owner and name reviewers or stakeholders; short: "
            + String.join(", ", short_);
    return new Evidence(c, j, reason, facts);
  }
}
