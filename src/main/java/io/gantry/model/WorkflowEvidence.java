package io.gantry.model;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Judges "deployment includes required workflows and procedures where appropriate" (Table 7.1, level 3) from the
 * models in use (not retired) as they stand. A model has its workflow when at least one of its stages needs an
 * authorization (an approval or a change) and every stage has criteria (entry or exit criteria, or acceptance
 * steps) and a failure policy beyond stopping (roll back, ask a person, or retry). Met when 90 % or more of the
 * models have theirs, partly met at 50 % or more; not met below that or when no model is in use.
 */
@Component
class WorkflowEvidence implements EvidenceSource {

  static final double MET = Judgement.MET_AT;
  static final double PARTLY = Judgement.PARTLY_AT;

  private final Models models;

  WorkflowEvidence(Models models) {
    this.models = models;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.WORKFLOWS);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    List<DeploymentModel> active = models.all().stream().filter(m -> !m.retired() && m.definition() != null).toList();
    List<String> facts = new ArrayList<>();
    long complete = 0;
    for (DeploymentModel m : active) {
      List<String> missing = missing(m.definition().spec());
      if (missing.isEmpty()) {
        complete++;
        facts.add("model " + m.name() + ": authorization, criteria and failure policy declared");
      } else {
        facts.add("model " + m.name() + ": " + String.join("; ", missing));
      }
    }
    if (active.isEmpty()) {
      return new Evidence(criterion, Judgement.NOT_MET, "no deployment model is in use: no workflow is declared",
          facts);
    }
    double share = 100.0 * complete / active.size();
    Judgement j = Judgement.ofShare(share);
    return new Evidence(criterion, j, complete + " of " + active.size() + " models in use ("
        + String.format(Locale.ROOT, "%.1f %%", share) + ") declare authorization, criteria and a failure policy for "
        + "their stages (met at 90 % or more, partly met at 50 % or more)", facts);
  }

  /** What the model lacks, each in a few words; empty when it has its workflow. */
  static List<String> missing(DeploymentModelSpec spec) {
    List<String> missing = new ArrayList<>();
    if (spec.stages().isEmpty()) {
      missing.add("no stage");
      return missing;
    }
    if (spec.stages().stream().allMatch(s -> s.authorization() == Stage.Authorization.AUTOMATIC)) {
      missing.add("no stage needs an approval or a change");
    }
    for (Stage s : spec.stages()) {
      if (s.entryCriteria().isEmpty() && s.exitCriteria().isEmpty() && s.acceptance().isEmpty()) {
        missing.add("stage " + s.name() + " has no criteria");
      }
      Stage.FailurePolicy p = s.failurePolicy();
      if (p.action() == Stage.FailurePolicy.Action.STOP && (p.retries() == null || p.retries() == 0)) {
        missing.add("stage " + s.name() + " only stops on failure");
      }
    }
    return missing;
  }
}
