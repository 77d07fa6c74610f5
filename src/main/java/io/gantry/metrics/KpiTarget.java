package io.gantry.metrics;

import java.time.Instant;

/**
 * A target for a KPI in a scope: the whole organization (service and environment null), a service, an
 * environment, or a service in an environment. {@code comparison} is {@code at-least} or {@code at-most}.
 */
public record KpiTarget(long id, String kpi, String service, String environment, String comparison, double value,
    String setBy, Instant setAt) {

  /** Whether a figure meets the target. */
  boolean met(double figure) {
    return "at-least".equals(comparison) ? figure >= value : figure <= value;
  }

  /** The scope for people: {@code all}, {@code service shop}, {@code environment production}, or both. */
  public String scopeText() {
    return KpiTargets.scopeText(service, environment);
  }
}
