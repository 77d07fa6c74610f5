package io.gantry.deployment;

import io.gantry.model.Stage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The canary strategy between its first batch (the canary targets, deployed and checked) and the
 * rest: the canary's pause, then its analysis ({@link Analyses}), rounds of checks and metrics on the canary
 * targets every interval over the analysis's duration. The rest follow when enough of the results passed;
 * otherwise the canary targets are rolled back and the deployment ends without the rest ever being touched.
 *
 * <p>Everything is read from the record: the pause from the recorded end of the canary batch, the
 * rounds from their rows (each written when it ends), so an engine that restarts keeps the pause's end
 * and neither loses nor repeats a round.
 */
final class Canary {

  private final Deployments deployments;
  private final Clock clock;
  private final Progress progress;
  private final Analyses analyses;

  Canary(Deployments deployments, Clock clock, Progress progress, Analyses analyses) {
    this.deployments = deployments;
    this.clock = clock;
    this.progress = progress;
    this.analyses = analyses;
  }

  /**
   * How many of {@code n} targets are the canary: the share's count, or its percentage rounded up;
   * at least one, and, of two or more targets, never all of them, so some are left for after the analysis.
   */
  static int size(int n, String share) {
    int k = share.endsWith("%")
        ? (int) Math.ceil(n * Integer.parseInt(share.substring(0, share.length() - 1)) / 100.0)
        : Integer.parseInt(share);
    return Math.max(1, Math.min(k, n > 1 ? n - 1 : n));
  }

  /** Whether the deployment runs as a canary: a deployment (not an undeploy) in a canary stage. */
  static boolean applies(Deployment d, Plan plan) {
    return d.kind() == Deployment.Kind.DEPLOY && plan.stage().strategy().type() == Stage.Strategy.Type.CANARY;
  }

  /**
   * Holds back the rest of the targets until the canary's pause and analysis are over. Answers null
   * when the rest may go on (the analysis passed), a time to look again while the pause or the
   * analysis lasts, or empty when the analysis failed and the deployment now rolls the canary back.
   */
  Optional<Instant> holdBack(Deployment d, Plan plan) {
    Stage.Canary canary = plan.stage().strategy().canary();
    Optional<Analyses.Outcome> ended = analyses.ended(d, AnalysisRecords.CANARY);
    if (ended.isPresent()) {
      return ended.get() instanceof Analyses.Outcome.Passed ? null : Optional.empty();
    }
    List<TargetRun> runs = deployments.targetRuns(d.id());
    List<TargetRun> canaries = runs.stream().filter(r -> r.batch() == 0).toList();
    if (deployments.analyses().analysis(d.id(), AnalysisRecords.CANARY).isEmpty()) {
      Optional<Instant> pause = pause(d, canary, canaries);
      if (pause.isPresent()) {
        return pause;
      }
    }
    List<String> others = runs.stream().filter(r -> r.batch() > 0).map(TargetRun::target).toList();
    Analyses.Subject subject = new Analyses.Subject(AnalysisRecords.CANARY, "canary analysis", canary.analysis(),
        canaries, "canaryTargets", others, Map.of(), target -> null, "analysis-",
        DeploymentEvent.WaitKind.CANARY_ANALYSIS, plan.stage().strategy().maxParallel());
    Analyses.Outcome outcome = analyses.advance(d, subject, (passed, text) -> {
      if (!passed) {
        deployments.transition(deployments.get(d.id()), DeploymentState.ROLLING_BACK, "gantry", text
            + "; rolling the canary targets (" + Analyses.names(canaries) + ") back to their previous version; the "
            + "other targets were not touched", clock.instant());
      }
    });
    return switch (outcome) {
      case Analyses.Outcome.Passed p -> null; // the other targets follow
      case Analyses.Outcome.Failed f -> Optional.empty(); // rolling back, written with the analysis's end
      case Analyses.Outcome.Waits w -> progress.waitFor(d, w.kind(), w.what(), w.at());
      case Analyses.Outcome.Aborted a -> Optional.of(clock.instant()); // the engine applies the abort
    };
  }

  /** The canary's pause after its batch ended, unless it has passed or a person ended it early. */
  private Optional<Instant> pause(Deployment d, Stage.Canary canary, List<TargetRun> canaries) {
    if (canary.pause() == null) {
      return Optional.empty();
    }
    Instant before = canaries.stream().map(TargetRun::finishedAt).filter(t -> t != null).max(Instant::compareTo)
        .orElse(null);
    if (before == null) {
      return Optional.empty(); // no canary target ended: nothing to pause after
    }
    Instant ends = before.plus(canary.pause().toDuration());
    Optional<Decision> resumed = deployments.decisions(d.id(), Execution.ALL_TARGETS, Execution.PAUSE).stream()
        .filter(x -> x.kind() == Decision.Kind.RESUME && x.appliedAt() == null).findFirst();
    if (resumed.isPresent()) {
      progress.writes().writeWith(() -> deployments.applied(resumed.get(), clock.instant()));
      return Optional.empty();
    }
    if (!clock.instant().isBefore(ends)) {
      return Optional.empty();
    }
    return progress.waitFor(d, DeploymentEvent.WaitKind.CANARY_PAUSE, "the canary's pause of " + canary.pause().text()
        + " on " + Analyses.names(canaries) + " to end at " + ends + " (gantry resume " + d.id() + " ends it now)",
        ends);
  }

  /** A ratio with two decimals, or as many as it needs up to four (0.95, 1.00, 0.955, 0.6667). */
  static String ratio(double r) {
    return Analyses.ratio(r);
  }
}
