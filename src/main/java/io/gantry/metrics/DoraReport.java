package io.gantry.metrics;

import java.util.List;

/**
 * The DORA measures of production deployments (into environments whose purpose is production) that
 * ended in a period, each with its performance level ({@link DoraLevel}, null when there is nothing
 * to rate). Durations in seconds, rates in percent with one decimal; medians are the interpolated
 * median (the mean of the two middle values when their number is even).
 *
 * <p>A production deployment counts when it ran: it succeeded, was rolled back, or failed after it
 * started executing. Deployments that failed before execution or were cancelled changed nothing in
 * production and are left out.
 */
public record DoraReport(KpiReport.PeriodView period, MetricsFilter filter, List<String> productionEnvironments,
    long deployments, DeploymentFrequency deploymentFrequency, ChangeLeadTime changeLeadTime,
    ChangeFailRate changeFailRate, RecoveryTime failedDeploymentRecoveryTime, ReworkRate deploymentReworkRate,
    String thresholds) {

  /** Successful production deployments per day (and week) over the part of the period that has passed. */
  public record DeploymentFrequency(long succeeded, Double perDay, Double perWeek, DoraLevel level) {}

  /**
   * Median time from commit (the version's {@code commitTime} attribute) to success in production;
   * from the request when the commit time is unknown.
   */
  public record ChangeLeadTime(long deployments, long withCommitTime, Double medianSeconds, DoraLevel level) {}

  /**
   * Failed changes among the production deployments: rolled back, failed after executing, or
   * succeeded but linked to an incident as its cause.
   */
  public record ChangeFailRate(long failed, Double percent, DoraLevel level) {}

  /**
   * Median time to recover from the failed changes: a rollback from its start to its end; a failed
   * deployment until the next success of the component in that environment; a succeeded deployment
   * that caused incidents from the first detection to the last resolution. Unrecovered ones are
   * counted, not timed.
   */
  public record RecoveryTime(long failures, long recovered, long unrecovered, Double medianSeconds, DoraLevel level) {}

  /** Production deployments made to remediate an incident, among all production deployments. */
  public record ReworkRate(long rework, Double percent, DoraLevel level) {}
}
