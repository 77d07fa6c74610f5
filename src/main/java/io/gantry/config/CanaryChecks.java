package io.gantry.config;

import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks of a stage's canary strategy that a schema cannot make: a share that leaves no canary or
 * no rest, a success ratio that cannot be met or is always met, an interval longer than the analysis,
 * checks that would change the targets, and a canary block on a strategy that is not a canary.
 */
final class CanaryChecks {

  /** At most this many rounds of checks: an analysis is a few minutes or hours, not a monitoring loop. */
  static final int MAX_ROUNDS = 1000;

  private static final Pattern COUNT = Pattern.compile("[1-9]\\d{0,5}");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");

  private CanaryChecks() {}

  static void check(ConfigDocument doc, String at, Stage.Strategy strategy, TriggerChecks.Findings findings) {
    check(doc, at, strategy, true, findings);
  }

  /**
   * @param prometheus whether this server has a Prometheus to query ({@code gantry.analysis.prometheus.url});
   *     an analysis with metrics is refused without one
   */
  static void check(ConfigDocument doc, String at, Stage.Strategy strategy, boolean prometheus,
      TriggerChecks.Findings findings) {
    Stage.Canary canary = strategy.canary();
    if (strategy.type() != Stage.Strategy.Type.CANARY) {
      if (canary != null) {
        findings.finding(doc, at + ".canary", "canary settings belong to a strategy of type canary, not "
            + strategy.type().name().toLowerCase().replace('_', '-'));
      }
      return;
    }
    if (canary == null) {
      findings.finding(doc, at + ".canary", "a canary strategy needs its canary settings: share and analysis");
      return;
    }
    if (strategy.pauseBetweenBatches() != null) {
      findings.finding(doc, at + ".pauseBetweenBatches", "a canary pauses once, after the canary: use canary.pause");
    }
    String share = canary.share();
    var percent = share == null ? null : PERCENT.matcher(share);
    if (share == null) {
      findings.finding(doc, at + ".canary.share", "say how many targets take the version first: a count such as 1 "
          + "or a percentage such as 25%");
    } else if (percent.matches()) {
      int p = Integer.parseInt(percent.group(1));
      if (p < 1 || p > 99) {
        findings.finding(doc, at + ".canary.share", "a canary of " + share + " of the targets "
            + (p == 0 ? "is no canary" : "leaves none for after the analysis") + ": use a percentage from 1% to 99%");
      }
    } else if (!COUNT.matcher(share).matches()) {
      findings.finding(doc, at + ".canary.share", "\"" + share + "\" is not a share of the targets: use a count of "
          + "at least 1 such as 2, or a percentage from 1% to 99%");
    }
    Stage.Analysis analysis = canary.analysis();
    if (analysis == null) {
      findings.finding(doc, at + ".canary.analysis", "a canary needs an analysis: checks, interval and duration");
      return;
    }
    String a = at + ".canary.analysis";
    if (analysis.checks().isEmpty() && analysis.metrics().isEmpty()) {
      findings.finding(doc, a + ".checks", "an analysis needs at least one check (shell or http-check) or metric");
    }
    metrics(doc, a + ".metrics", analysis.metrics(), prometheus, findings);
    List<Step> checks = analysis.checks();
    for (int i = 0; i < checks.size(); i++) {
      if (!(checks.get(i) instanceof Step.Shell) && !(checks.get(i) instanceof Step.HttpCheck)) {
        findings.finding(doc, a + ".checks[" + i + "].type", "an analysis check is a shell or http-check step");
      }
    }
    Double ratio = analysis.successRatio();
    if (ratio != null && (ratio.isNaN() || ratio <= 0 || ratio > 1)) {
      findings.finding(doc, a + ".successRatio", ratio + " is not a success ratio: use a number above 0 and at most "
          + "1 (0.95: at least 95% of the check results pass)");
    }
    if (analysis.interval() != null && analysis.duration() != null) {
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

  private static final Pattern METRIC_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");

  private static void metrics(ConfigDocument doc, String at, List<Stage.Metric> metrics, boolean prometheus,
      TriggerChecks.Findings findings) {
    if (!metrics.isEmpty() && !prometheus) {
      findings.finding(doc, at, "this server has no Prometheus to query the metrics of an analysis: set "
          + "gantry.analysis.prometheus.url, or use checks only");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
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
        io.gantry.model.PromQl.problems(m.query()).forEach(p -> findings.finding(doc, mat + ".query", p));
      }
      if (m.max() == null && m.min() == null && m.baseline() == null) {
        findings.finding(doc, mat, "a metric needs a threshold or a comparison: max, min, baseline or several");
      }
      if (m.baseline() != null) {
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
