package io.gantry.improvement;

import io.gantry.metrics.KpiReport;
import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The KPIs an initiative's effect is measured by, each read from the metrics module's {@link KpiReport} of a window:
 * its value and the number of deployments it rests on.
 */
public enum Kpi {
  /** Succeeded among the deployments that ran to an end, in percent. */
  SUCCESS_RATE,
  /** Failed plus rolled-back deployments. */
  FAILURE_COUNT,
  /** Median seconds from request to success of the deployments that succeeded. */
  LEAD_TIME;

  /** The name used in the API and CLI: {@code success-rate}. */
  @com.fasterxml.jackson.annotation.JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The KPI's value in a report; null when there is nothing to compute it from. */
  Double value(KpiReport report) {
    return switch (this) {
      case SUCCESS_RATE -> report.deployments().successPercent();
      case FAILURE_COUNT -> (double) report.deployments().failures();
      case LEAD_TIME -> report.leadTime().requestToSuccessMedianSeconds();
    };
  }

  /** How many deployments the value rests on. */
  long basis(KpiReport report) {
    return switch (this) {
      case SUCCESS_RATE, FAILURE_COUNT -> report.deployments().ended() - report.deployments().cancelled();
      case LEAD_TIME -> report.leadTime().succeeded();
    };
  }

  /** The KPI of that id; refused naming {@code field} otherwise. */
  public static Kpi parse(String field, String id) {
    return Arrays.stream(values()).filter(k -> id != null && k.id().equals(id.strip().toLowerCase(Locale.ROOT)))
        .findFirst().orElseThrow(() -> InvalidInputException.of(field, "\"" + id + "\" is not a KPI an initiative "
            + "is measured by; use one of " + Arrays.stream(values()).map(Kpi::id)
            .collect(Collectors.joining(", "))));
  }
}
