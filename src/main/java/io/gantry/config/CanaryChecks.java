package io.gantry.config;

import io.gantry.model.Stage;
import java.util.regex.Pattern;

/**
 * The checks of a stage's canary strategy that a schema cannot make: a share that leaves no canary or
 * no rest, a canary block on a strategy that is not a canary, and its analysis's ({@link AnalysisChecks}).
 */
final class CanaryChecks {

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
    AnalysisChecks.check(doc, at + ".canary.analysis", analysis, AnalysisChecks.Kind.CANARY, prometheus, findings);
  }
}
