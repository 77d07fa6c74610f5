package io.gantry.metrics;

import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The KPIs of the {@link KpiReport} a target can be set for, each with its stable id, its unit and where its figure
 * is in the report (null when the report has nothing to compute it from).
 */
public enum Kpi {
  DEPLOYMENT_SUCCESS_PERCENT(Unit.PERCENT, r -> r.deployments().successPercent()),
  FAILURES(Unit.COUNT, r -> (double) r.deployments().failures()),
  INCIDENTS(Unit.COUNT, r -> (double) r.incidents().total()),
  INCIDENTS_RELATED_PERCENT(Unit.PERCENT, r -> r.incidents().relatedPercent()),
  SCHEDULE_ADHERENCE_PERCENT(Unit.PERCENT, r -> r.scheduleAdherence().percent()),
  QUEUED(Unit.COUNT, r -> (double) r.backlog().queued()),
  LEAD_TIME_HOURS(Unit.HOURS, r -> hours(r.leadTime().requestToSuccessMedianSeconds())),
  COMMIT_LEAD_TIME_HOURS(Unit.HOURS, r -> hours(r.leadTime().commitToProductionMedianSeconds())),
  SATISFACTION_LEAD_TIME(Unit.SCORE, r -> r.satisfaction().leadTimeAverage()),
  SATISFACTION_QUALITY(Unit.SCORE, r -> r.satisfaction().qualityAverage()),
  SATISFACTION_RATE_OF_CHANGE(Unit.SCORE, r -> r.satisfaction().rateOfChangeAverage()),
  ADOPTION_PERCENT(Unit.PERCENT, r -> r.adoption().percent()),
  ALIGNMENT(Unit.SCORE, r -> r.alignment().asked() ? r.alignment().average() : null),
  AUDIT_FINDINGS(Unit.COUNT, r -> r.auditFindings().available() ? (double) r.auditFindings().count() : null),
  EXTERNAL_AUDIT_FINDINGS(Unit.COUNT, r -> (double) r.auditFindings().byOrigin().getOrDefault("external", 0L));

  /** How a KPI is counted, and the values a target of it may take. */
  public enum Unit {
    PERCENT("a percentage from 0 to 100"), COUNT("a whole number, 0 or more"), HOURS("hours, 0 or more"),
    SCORE("an average score from 1 to 5");

    private final String range;

    Unit(String range) {
      this.range = range;
    }

    /** The values a target of this unit may take, for people. */
    public String range() {
      return range;
    }

    boolean allows(double value) {
      return switch (this) {
        case PERCENT -> value >= 0 && value <= 100;
        case COUNT -> value >= 0 && value == Math.rint(value);
        case HOURS -> value >= 0;
        case SCORE -> value >= 1 && value <= 5;
      };
    }
  }

  private final Unit unit;
  private final Function<KpiReport, Double> figure;

  Kpi(Unit unit, Function<KpiReport, Double> figure) {
    this.unit = unit;
    this.figure = figure;
  }

  /** The id in the API and CLI: {@code deployment-success-percent}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public Unit unit() {
    return unit;
  }

  /** Whether the KPI is asked of the whole organization only (the survey): its targets have no scope. */
  public boolean organizationWide() {
    return this == ALIGNMENT;
  }

  /** The KPI's figure in a report, or null when there was nothing to compute it from. */
  public Double figure(KpiReport report) {
    Double value = figure.apply(report);
    return value == null || value.isNaN() ? null : value;
  }

  /** The KPI of an id; refused naming {@code field} otherwise. */
  public static Kpi fromId(String field, String id) {
    String wanted = id == null ? "" : id.strip();
    return Arrays.stream(values()).filter(k -> k.id().equals(wanted)).findFirst()
        .orElseThrow(() -> InvalidInputException.of(field, "\"" + (id == null ? "" : id) + "\" is not a KPI; use one "
            + "of: " + Arrays.stream(values()).map(Kpi::id).collect(Collectors.joining(", "))));
  }

  private static Double hours(Double seconds) {
    return seconds == null ? null : Scope.round(seconds / 3600.0, 3);
  }
}
