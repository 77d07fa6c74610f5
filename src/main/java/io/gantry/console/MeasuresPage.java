package io.gantry.console;

import io.gantry.metrics.DailyMeasures;
import io.gantry.metrics.DoraReport;
import io.gantry.metrics.KpiReport;
import io.gantry.metrics.ValueStreamMap;
import java.util.List;

/**
 * What the measures page shows for a period and scope: the form's values, the scopes a scoped user may
 * choose from, each report or why it is not shown, and the chart data (JSON) for the page's script.
 * Public for the compiled templates only.
 *
 * @param notice why the scope was chosen for the user (its roles are held in scopes), or null
 * @param refusal why nothing is shown (the scope lies outside the user's, or the period is wrong), or null
 * @param cli the {@code gantry metrics} command giving the same figures
 */
public record MeasuresPage(String from, String to, String service, String environment, String tolerance,
    List<ScopeLink> scopes, String notice, String refusal, String cli,
    KpiReport kpis, String kpisProblem, DoraReport dora, String doraProblem, ValueStreamMap valueStream,
    String valueStreamProblem, DailyMeasures daily, String dailyProblem, String chartData) {

  /** One of the user's scopes, as a link to the page filtered to it. */
  public record ScopeLink(String label, String href) {}

  public boolean shown() {
    return refusal == null;
  }
}
