package io.gantry.config;

import io.gantry.model.PromQl;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of an analysis that a schema cannot make, wherever it stands (a canary's, a blue-green target's
 * idle slot's before its switch, a stage's verification): a success ratio that cannot be met or is always met,
 * an interval longer than the analysis, checks that would change the targets, metrics without a Prometheus to
 * query, placeholders that could change a query or that the analysis has no value for, and what the analysis
 * cannot act on where it stands (checks in a verification, a comparison with a baseline outside a canary).
 */
final class AnalysisChecks {

  /** At most this many rounds of checks: an analysis is a few minutes or hours, not a monitoring loop. */
  static final int MAX_ROUNDS = 1000;

  /** Where an analysis stands, and so what it may declare and which placeholders its queries may use. */
  enum Kind {
    CANARY(PromQl.VARIABLES, true, true),
    IDLE_SLOT(PromQl.IDLE_SLOT_VARIABLES, true, false),
    VERIFICATION(PromQl.VERIFICATION_VARIABLES, false, false);

    final Set<String> variables;
    final boolean checks;
    final boolean baseline;

    Kind(Set<String> variables, boolean checks, boolean baseline) {
      this.variables = variables;
      this.checks = checks;
      this.baseline = baseline;
    }
  }

  private static final Pattern METRIC_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");

  private AnalysisChecks() {}

  /**
   * @param prometheus whether this server has a Prometheus to query ({@code gantry.analysis.prometheus.url});
   *     an analysis with metrics is refused without one
   */
  static void check(ConfigDocument doc, String a, Stage.Analysis analysis, Kind kind, boolean prometheus,
      TriggerChecks.Findings findings) {
    if (!kind.checks && !analysis.checks().isEmpty()) {
      findings.finding(doc, a + ".checks", "a verification analysis has no checks of its own: the stage's "
          + "acceptance checks run on every target before it; it judges metrics only");
    } else if (analysis.checks().isEmpty() && analysis.metrics().isEmpty()) {
      findings.finding(doc, a + (kind.checks ? ".checks" : ".metrics"), kind.checks
          ? "an analysis needs at least one check (shell or http-check) or metric"
          : "a verification analysis needs at least one metric");
    }
    metrics(doc, a + ".metrics", analysis.metrics(), kind, prometheus, findings);
    List<Step> checks = analysis.checks();
    for (int i = 0; kind.checks && i < checks.size(); i++) {
      if (!(checks.get(i) instanceof Step.Shell) && !(checks.get(i) instanceof Step.HttpCheck)) {
        findings.finding(doc, a + ".checks[" + i + "].type", "an analysis check is a shell or http-check step");
      }
    }
    Double ratio = analysis.successRatio();
    if (ratio != null && (ratio.isNaN() || ratio <= 0 || ratio > 1)) {
      findings.finding(doc, a + ".successRatio", ratio + " is not a success ratio: use a number above 0 and at most "
          + "1 (0.95: at least 95% of the check results pass)");
    }
    if (analysis.interval() != null && analysis.duration() != null) { // both required by the schema
      long interval = analysis.interval().toDuration().toMillis();
      long duration = analysis.duration().toDuration().toMillis();
      if (interval <= 0) {
        findings.finding(doc, a + ".interval", "an interval of " + analysis.interval().text() + " would run the "
            + "checks without end");
      } else if (interval > duration) {
        findings.finding(doc, a + ".interval", "an interval of " + analysis.interval().text() + " is longer than "
            + "the analysis (duration " + analysis.duration().text() + "): no round of checks would run");
      } else if (duration / interval > MAX_ROUNDS) {
        findings.finding(doc, a + ".interval", "an interval of " + analysis.interval().text() + " over "
            + analysis.duration().text() + " makes " + duration / interval + " rounds of checks; at most "
            + MAX_ROUNDS + " are run: use a longer interval");
      }
    }
  }

  private static void metrics(ConfigDocument doc, String at, List<Stage.Metric> metrics, Kind kind,
      boolean prometheus, TriggerChecks.Findings findings) {
    if (!metrics.isEmpty() && !prometheus) {
      findings.finding(doc, at, "this server has no Prometheus to query the metrics of an analysis: set "
          + "gantry.analysis.prometheus.url" + (kind.checks ? ", or use checks only" : ""));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      Stage.Metric m = metrics.get(i);
      String mat = at + "[" + i + "]";
      if (m.name() == null || !METRIC_NAME.matcher(m.name()).matches()) {
        findings.finding(doc, mat + ".name", "a metric needs a name of lower-case letters, digits and dashes, such "
            + "as error-rate");
      } else if (!names.add(m.name())) {
        findings.finding(doc, mat + ".name", "metric \"" + m.name() + "\" is declared twice in this analysis");
      }
      if (m.query() == null || m.query().isBlank()) {
        findings.finding(doc, mat + ".query", "a metric needs a Prometheus query");
      } else {
        PromQl.problems(m.query(), kind.variables).forEach(p -> findings.finding(doc, mat + ".query", p));
      }
      if (m.max() == null && m.min() == null && m.baseline() == null) {
        findings.finding(doc, mat, "a metric needs a threshold or a comparison: max, min, baseline or several");
      }
      if (m.baseline() != null && !kind.baseline) {
        findings.finding(doc, mat + ".baseline", "a comparison with the baseline sets a canary's targets against "
            + "the deployment's other targets; this analysis has no such others: use max or min");
      } else if (m.baseline() != null) {
        double alpha = m.baseline().alpha();
        if (Double.isNaN(alpha) || alpha <= 0 || alpha > 0.5) {
          findings.finding(doc, mat + ".baseline.alpha", alpha + " is not a significance level: use a number above 0 "
              + "and at most 0.5, such as 0.05");
        }
        if (m.query() != null && !m.query().contains("${canaryTargets}")) {
          findings.finding(doc, mat + ".query", "a metric compared with the baseline needs ${canaryTargets} in its "
              + "query: it is run once with the canary targets and once with the others");
        }
      }
      if (m.max() != null && m.max().isNaN() || m.min() != null && m.min().isNaN()) {
        findings.finding(doc, mat, "a threshold is a number, not NaN");
      } else if (m.max() != null && m.min() != null && m.min() > m.max()) {
        findings.finding(doc, mat + ".min", "min " + m.min() + " is above max " + m.max() + ": no value could pass");
      }
    }
  }
}
