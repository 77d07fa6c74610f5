package io.gantry.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored evaluation of the KPIs against their targets over a period: by whom and when it was made (the
 * server's own periodic ones by {@code gantry}), each target's verdict with the figure as it was then, and (when
 * shown alone) the KPI report of each scope. It is never recomputed: later records or targets do not change it.
 *
 * @param periodic whether the server made it on its own ({@code gantry.kpi.evaluation.every})
 * @param reports the KPI report of each scope, as computed then; empty in lists
 */
public record KpiEvaluation(long id, Instant from, Instant to, String author, Instant evaluatedAt, boolean periodic,
    List<Result> results, List<ScopeReport> reports) {

  /** A target's verdict: {@code met}, {@code missed}, or {@code no-data} when the KPI had nothing to count. */
  public record Result(String kpi, String service, String environment, String comparison, double target,
      Double figure, String verdict) {

    /** The scope for people: {@code all}, {@code service shop}, {@code environment production}, or both. */
    public String scope() {
      return KpiTargets.scopeText(service, environment);
    }
  }

  /** The KPI report of one scope as it was computed (null when the scope could not be reported on). */
  public record ScopeReport(String service, String environment, Map<String, Object> report) {}

  /** The results whose target was missed. */
  public List<Result> missed() {
    return results.stream().filter(r -> r.verdict().equals(KpiEvaluations.MISSED)).toList();
  }
}
