package io.gantry.metrics;

import java.time.LocalDate;
import java.util.List;

/**
 * The measures of a period day by day (UTC days), for trends: each day counts the deployments that
 * ended in it, with the definitions of the period reports ({@link KpiReport}, {@link DoraReport}), so
 * the days of a whole period add up to its report. Durations in seconds, rates in percent with one
 * decimal, medians interpolated; null when the day has nothing to compute it from.
 *
 * @param days from the period's first day to its last, or to today while it is under way
 */
public record DailyMeasures(KpiReport.PeriodView period, MetricsFilter filter, List<String> productionEnvironments,
    List<Day> days) {

  /**
   * One day.
   *
   * @param succeeded deployments (any environment in the filter) that ended in it, by outcome
   * @param leadTimeMedianSeconds request to success of those that succeeded (the KPI's lead time)
   * @param productionDeployments production deployments that ran (the DORA measures' count)
   * @param failedChanges those of them that were failed changes
   * @param changeLeadTimeMedianSeconds commit (or request) to success in production (DORA)
   * @param recoveryMedianSeconds recovery time of the failed changes of the day that recovered
   */
  public record Day(LocalDate day, long succeeded, long failed, long rolledBack, long cancelled,
      Double leadTimeMedianSeconds, long productionDeployments, long failedChanges, Double changeFailPercent,
      Double changeLeadTimeMedianSeconds, long recovered, long unrecovered, Double recoveryMedianSeconds) {

    public long ended() {
      return succeeded + failed + rolledBack + cancelled;
    }
  }
}
