package io.gantry.metrics;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * "The effectiveness of the deployment approach is monitored and evaluated" (Table 7.1), judged from the stored KPI
 * evaluations: met when the evaluations made within the period cover the whole period and targets are set for a
 * production environment; partly met when there are evaluations but they leave part of the period uncovered or no
 * production target was evaluated; not met when no evaluation covers any of it.
 */
@Component
class KpiMonitoringEvidence implements EvidenceSource {

  private final KpiEvaluations evaluations;
  private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

  KpiMonitoringEvidence(KpiEvaluations evaluations, org.springframework.jdbc.core.simple.JdbcClient jdbc) {
    this.evaluations = evaluations;
    this.jdbc = jdbc;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.APPROACH_MONITORED);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    if (criterion != Criterion.APPROACH_MONITORED) {
      throw new IllegalArgumentException("KPI evaluations do not judge " + criterion.id());
    }
    List<KpiEvaluation> inside = evaluations.list(period.from(), period.to()).stream()
        .filter(e -> !e.from().isBefore(period.from()) && !e.to().isAfter(period.to())).toList();
    List<String> production = Scope.productionEnvironments(jdbc);
    long productionResults = inside.stream().flatMap(e -> e.results().stream())
        .filter(r -> r.environment() != null && production.contains(r.environment())).count();
    boolean covered = covers(inside, period);
    List<String> facts = new ArrayList<>();
    facts.add(inside.size() + " stored KPI evaluation(s) within the period, " + inside.stream()
        .mapToLong(e -> e.results().size()).sum() + " target verdict(s), " + inside.stream()
        .mapToLong(e -> e.missed().size()).sum() + " missed");
    facts.add(productionResults + " verdict(s) on targets for a production environment ("
        + (production.isEmpty() ? "no environment is for production" : String.join(", ", production)) + ")");
    facts.add(covered ? "the evaluations' periods cover the whole period" : "the evaluations' periods leave part of "
        + "the period uncovered");
    if (inside.isEmpty()) {
      return new Evidence(criterion, Judgement.NOT_MET, "no KPI evaluation was stored for the period", facts);
    }
    if (covered && productionResults > 0) {
      return new Evidence(criterion, Judgement.MET, "the KPIs were evaluated against targets, production's "
          + "among them, over the whole period", facts);
    }
    return new Evidence(criterion, Judgement.PARTLY_MET, covered ? "the KPIs were evaluated over the whole period, "
        + "but no target for a production environment was" : "the KPIs were evaluated over part of the period only",
        facts);
  }

  /** Whether the evaluations' periods, together, leave no gap in the period. */
  static boolean covers(List<KpiEvaluation> evaluations, AssessmentPeriod period) {
    Instant reached = period.from();
    for (KpiEvaluation e : evaluations.stream().sorted(Comparator.comparing(KpiEvaluation::from)).toList()) {
      if (e.from().isAfter(reached)) {
        return false;
      }
      if (e.to().isAfter(reached)) {
        reached = e.to();
      }
    }
    return !reached.isBefore(period.to());
  }
}
