package io.gantry.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * A few lines of the practice KPIs and the DORA measures over a period, computed from the records the
 * same way as the reports of the API and {@code gantry metrics}: for people reading a log.
 */
@Component
public class MetricsSummary {

  private final KpiReports kpis;
  private final DoraReports dora;

  MetricsSummary(KpiReports kpis, DoraReports dora) {
    this.kpis = kpis;
    this.dora = dora;
  }

  /** The summary of every deployment that ended in the period. */
  public List<String> lines(Period period) {
    KpiReport k = kpis.report(period, MetricsFilter.NONE, Duration.ofMinutes(15));
    DoraReport d = dora.report(period, MetricsFilter.NONE);
    List<String> lines = new ArrayList<>();
    lines.add("KPIs: " + k.deployments().ended() + " deployment(s) ended, " + k.deployments().succeeded()
        + " succeeded (" + percent(k.deployments().successPercent()) + "), " + k.deployments().failures()
        + " failure(s) (" + k.deployments().rolledBack() + " rolled back); lead time to deploy (request to success) "
        + "median " + seconds(k.leadTime().requestToSuccessMedianSeconds()) + "; through the agreed model "
        + percent(k.adoption().percent()) + "; incidents related to deployments " + k.incidents().relatedToDeployments()
        + " of " + k.incidents().total() + "; audit findings " + (k.auditFindings().available()
            ? String.valueOf(k.auditFindings().count()) : "(no source)"));
    lines.add("DORA (production): deployment frequency " + number(d.deploymentFrequency().perDay()) + "/day ("
        + level(d.deploymentFrequency().level()) + "), change lead time " + seconds(d.changeLeadTime().medianSeconds())
        + " (" + level(d.changeLeadTime().level()) + "), change fail rate " + percent(d.changeFailRate().percent())
        + " (" + level(d.changeFailRate().level()) + "), failed deployment recovery time "
        + seconds(d.failedDeploymentRecoveryTime().medianSeconds()) + " (" + level(d.failedDeploymentRecoveryTime()
            .level()) + "), deployment rework rate " + percent(d.deploymentReworkRate().percent()) + " ("
        + level(d.deploymentReworkRate().level()) + ")");
    return lines;
  }

  private static String percent(Double p) {
    return p == null ? "n/a" : String.format(Locale.ROOT, "%.0f%%", p);
  }

  private static String number(Double n) {
    return n == null ? "n/a" : String.format(Locale.ROOT, "%.1f", n);
  }

  private static String seconds(Double s) {
    if (s == null) {
      return "n/a";
    }
    return s < 120 ? String.format(Locale.ROOT, "%.0f s", s) : s < 7200
        ? String.format(Locale.ROOT, "%.1f min", s / 60) : String.format(Locale.ROOT, "%.1f h", s / 3600);
  }

  private static String level(DoraLevel level) {
    return level == null ? "no level" : level.name().toLowerCase(Locale.ROOT);
  }
}
