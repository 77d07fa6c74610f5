package io.gantry.metrics;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.ReportSection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * "KPIs against targets" in an assessment's report: the latest evaluation stored within the period, each KPI with its
 * scope, target, figure and verdict.
 */
@Component
class KpiTargetsSection implements ReportSection {

  private final KpiEvaluations evaluations;

  KpiTargetsSection(KpiEvaluations evaluations) {
    this.evaluations = evaluations;
  }

  @Override
  public int order() {
    return 20;
  }

  @Override
  public String title() {
    return "KPIs against targets";
  }

  @Override
  public List<Table> tables(AssessmentPeriod period) {
    Optional<KpiEvaluation> latest = evaluations.list(period.from(), period.to()).stream()
        .filter(e -> !e.from().isBefore(period.from()) && !e.to().isAfter(period.to()))
        .max(Comparator.comparing(KpiEvaluation::to).thenComparing(KpiEvaluation::evaluatedAt));
    if (latest.isEmpty()) {
      return List.of();
    }
    KpiEvaluation e = latest.get();
    List<List<String>> rows = e.results().stream().map(r -> List.of(r.kpi(), r.scope(),
        (r.comparison().equals("at-least") ? ">= " : "<= ") + number(r.target()),
        r.figure() == null ? "-" : number(r.figure()), r.verdict())).toList();
    return List.of(new Table("Evaluation #" + e.id() + " of " + e.from() + " to " + e.to(),
        List.of("KPI", "Scope", "Target", "Figure", "Verdict"), rows, "Evaluated by " + e.author() + " at "
            + e.evaluatedAt() + "; " + e.missed().size() + " of " + e.results().size() + " targets missed."));
  }

  private static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
