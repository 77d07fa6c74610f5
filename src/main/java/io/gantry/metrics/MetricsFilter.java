package io.gantry.metrics;

/**
 * Which deployments a report covers; null means any. {@code team} is the owner a service declares:
 * the services it owns.
 */
public record MetricsFilter(String service, String environment, String model, String team) {

  public static final MetricsFilter NONE = new MetricsFilter(null, null, null, null);

  public MetricsFilter {
    service = blankToNull(service);
    environment = blankToNull(environment);
    model = blankToNull(model);
    team = blankToNull(team);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
