package io.gantry.assessment;

import io.gantry.capability.Criterion;
import io.gantry.capability.Judgement;
import java.time.Instant;
import java.util.List;

/**
 * One criterion of an assessment: Gantry's judgement, reason and facts as judged when the assessment was made (the
 * judgement null when no module judges the criterion), and the assessor's judgement, reason, evidence and links
 * (all null until an assessor judged it).
 */
public record CriterionAssessment(Criterion criterion, Judgement gantryJudgement, String reason, List<String> facts,
    Judgement assessorJudgement, String assessorReason, String assessorEvidence, List<String> assessorLinks,
    String judgedBy, Instant judgedAt) {

  /** What Gantry says of a criterion no module judges. */
  static final String NOT_JUDGED = "not judged by Gantry: left to the assessor";

  public CriterionAssessment {
    facts = facts == null ? List.of() : List.copyOf(facts);
    assessorLinks = assessorLinks == null ? List.of() : List.copyOf(assessorLinks);
  }

  /** The judgement that counts: the assessor's where given, else Gantry's; null when neither judged it. */
  public Judgement judgement() {
    return assessorJudgement != null ? assessorJudgement : gantryJudgement;
  }

  /** Who decided the judgement that counts: {@code assessor}, {@code gantry}, or {@code nobody}. */
  public String decidedBy() {
    return assessorJudgement != null ? "assessor" : gantryJudgement != null ? "gantry" : "nobody";
  }
}
