package io.gantry.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A value stream map computed from the records (practice guide 3.2.3): for the deployments that ended
 * in a period, the process time and the waiting time of each lifecycle activity and of each kind of
 * wait, and the flow efficiency, process / (process + wait). Seconds; medians are over the
 * deployments that had the activity (or that kind of wait), of each one's total.
 *
 * @param waits the kinds of wait, the biggest total first
 */
public record ValueStreamMap(KpiReport.PeriodView period, MetricsFilter filter, long deployments, Totals totals,
    List<ActivityRow> activities, List<WaitRow> waits) {

  /**
   * The whole flow: process and waiting time summed over deployments, the medians of each
   * deployment's process and waiting time, and the flow efficiency in percent.
   */
  public record Totals(double processSeconds, double waitSeconds, Double flowEfficiencyPercent,
      Double processMedianSeconds, Double waitMedianSeconds) {}

  /** One lifecycle activity, in lifecycle order, with its waits by kind. */
  public record ActivityRow(String activity, String state, long deployments, double processSeconds,
      Double processMedianSeconds, double waitSeconds, Double waitMedianSeconds, Double flowEfficiencyPercent,
      Map<String, Double> waitSecondsByKind) {}

  /** One kind of wait across all activities. */
  public record WaitRow(String kind, long deployments, double seconds, Double medianSeconds, Double sharePercent) {}

  /**
   * The same for one deployment, as a timeline of process and wait segments, with the rounds of its analyses
   * (canary, a blue-green idle slot's, verification) marked at the time each ran, with their measurements.
   *
   * @param finished false while the deployment is under way: its last segment is open and runs to {@code until}
   */
  public record Timeline(long deployment, String state, boolean finished, Instant until, Totals totals,
      List<ActivityRow> activities, List<WaitRow> waits, List<Segment> segments,
      List<io.gantry.deployment.AnalysisRound> analysisRounds) {}

  /**
   * A stretch of one deployment's time: process time of an activity, or a wait of a kind for something.
   * {@code what} says what is waited for, or for a blue-green target's switch (a process segment of its
   * own), which switch it is.
   */
  public record Segment(String activity, String type, String waitingFor, String what, Instant from, Instant to,
      double seconds, boolean open) {}
}
