package io.gantry.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The practice's key metrics (practice guide Table 2.4) over a period. Durations are in seconds,
 * percentages from 0 to 100 with one decimal; a value is null when there is nothing to compute it from.
 */
public record KpiReport(PeriodView period, MetricsFilter filter, Deployments deployments, Incidents incidents,
    ScheduleAdherence scheduleAdherence, Backlog backlog, LeadTime leadTime, Satisfaction satisfaction,
    Adoption adoption, AuditFindings auditFindings, Alignment alignment) {

  /** The period, whether it is still running at the time of the report, and the days that have passed. */
  public record PeriodView(Instant from, Instant to, boolean partial, double elapsedDays) {}

  /**
   * Deployments that ended in the period. The success rate counts succeeded among those that ran to
   * an end (cancelled ones are left out: they never ran); failures are failed plus rolled back.
   */
  public record Deployments(long ended, long succeeded, long failed, long rolledBack, long cancelled,
      Double successPercent, long failures) {}

  /** Incidents detected in the period, and how many are linked to a deployment as their cause. */
  public record Incidents(long total, long relatedToDeployments, Double relatedPercent, long unresolved,
      Map<String, Long> bySeverity) {}

  /**
   * Deployments with a planned start that ended in the period and started: on time when they started
   * within the tolerance of the planned start.
   */
  public record ScheduleAdherence(long toleranceMinutes, long planned, long onTime, Double percent,
      Double medianDeviationSeconds) {}

  /** Requested and completed (ended) in the period, and the queue of unfinished deployments now. */
  public record Backlog(long requested, long completed, Double requestedPerDay, Double completedPerDay,
      long queued, Double oldestQueuedAgeSeconds, Double medianQueuedAgeSeconds) {}

  /**
   * Request to success of the deployments that succeeded in the period, and commit to production
   * for those into production whose version has a {@code commitTime} attribute.
   */
  public record LeadTime(long succeeded, Double requestToSuccessMedianSeconds, Double requestToSuccessMeanSeconds,
      long withCommitTime, Double commitToProductionMedianSeconds, Double commitToProductionMeanSeconds) {}

  /**
   * Requesters' ratings (1-5) of the deployments that ended in the period, with the latest comments; the
   * satisfaction with the rate of change is optional in a rating, so it has its own count.
   */
  public record Satisfaction(long ratings, Double leadTimeAverage, Double qualityAverage, long rateOfChangeRatings,
      Double rateOfChangeAverage, List<Comment> comments) {}

  public record Comment(long deployment, String by, int leadTime, int quality, String comment, Instant at) {}

  /**
   * Deployments that ended in the period through the agreed approach: the model the component
   * declares (any model when it declares none), not retired, at the version that was current when
   * the deployment started (or was requested, if it never started).
   */
  public record Adoption(long deployments, long throughAgreedModel, Double percent) {}

  /**
   * Findings of the sources wired in (internal: from Gantry's own records) and those recorded from outside
   * (external audits); {@code sources} names them, {@code byOrigin} counts {@code internal} and {@code external}.
   * {@code available} is false when no internal source is wired and nothing was recorded from outside, and then
   * the count means nothing.
   */
  public record AuditFindings(boolean available, List<String> sources, long count, Map<String, Long> byKind,
      List<io.gantry.metrics.AuditFinding> findings, Map<String, Long> byOrigin) {}

  /**
   * Partners' and consumers' alignment: the answers to the survey of the months that start in the period
   * (each question 1-5), the average of every score of every answer, and each question's average. The survey
   * is asked of the whole organization: a report filtered on a service, environment, model or team leaves it
   * out ({@code asked} false).
   */
  public record Alignment(boolean asked, long answers, Double average, Map<String, Double> byQuestion) {}
}
