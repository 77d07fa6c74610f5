package io.gantry.metrics;

import java.util.List;

/**
 * Where audit findings come from: a Spring bean of another module (changes, the schedule) that knows
 * what went against the agreed rules. The KPI report asks every source present; with none, it says
 * that no source is wired rather than reporting zero findings.
 */
public interface AuditFindingSource {

  /**
   * The findings that happened within the period ({@code from} inclusive, {@code to} exclusive) and
   * match the filter (service, environment, model, team; null parts match anything). A source that
   * cannot tell the model or team of a finding leaves it out when those are filtered on.
   */
  List<AuditFinding> findings(Period period, MetricsFilter filter);
}
