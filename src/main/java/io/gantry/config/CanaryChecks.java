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
    if (analysis.checks().isEmpty()) {
      findings.finding(doc, a + ".checks", "an analysis needs at least one check (shell or http-check)");
    }
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
}
