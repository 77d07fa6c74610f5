package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.StepContext;
import io.gantry.execution.StepOutcome;
import io.gantry.execution.TargetAccess;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The canary strategy between its first batch (the canary targets, deployed and checked) and the
 * rest: the canary's pause, then its analysis, rounds of checks on the canary targets every interval
 * over the analysis's duration. The rest follow when enough of the results passed; otherwise the
 * canary targets are rolled back and the deployment ends without the rest ever being touched.
 *
 * <p>Everything is read from the record: the pause from the recorded end of the canary batch, the
 * rounds from their rows (each written when it ends), so an engine that restarts keeps the pause's end
 * and neither loses nor repeats a round.
 */
final class Canary {

  private final Deployments deployments;
  private final CanaryRecords records;
  private final Library library;
  private final Targets targets;
  private final Function<Target, TargetAccess> access;
  private final Clock clock;
  private final Progress progress;
  private final StepOutputs outputs;
  private final Aborts aborts;
  private final ExecutorService workers;
  private final Prometheus prometheus;

  Canary(Deployments deployments, Library library, Targets targets, Function<Target, TargetAccess> access,
      Clock clock, Progress progress, StepOutputs outputs, Aborts aborts, ExecutorService workers,
      Prometheus prometheus) {
    this.deployments = deployments;
    this.records = deployments.canary();
    this.library = library;
    this.targets = targets;
    this.access = access;
    this.clock = clock;
    this.progress = progress;
    this.outputs = outputs;
    this.aborts = aborts;
    this.workers = workers;
    this.prometheus = prometheus;
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
    Stage.Analysis analysis = canary.analysis();
    Optional<CanaryRecords.Analysis> recorded = records.analysis(d.id());
    if (recorded.isPresent() && recorded.get().endedAt() != null) {
      return Boolean.TRUE.equals(recorded.get().passed()) ? null : Optional.empty();
    }
    List<TargetRun> canaries = deployments.targetRuns(d.id()).stream().filter(r -> r.batch() == 0).toList();
    if (recorded.isEmpty()) {
      Optional<Instant> pause = pause(d, canary, canaries);
      if (pause.isPresent()) {
        return pause;
      }
      Instant now = clock.instant();
      progress.writes().writeWith(() -> {
        records.start(d.id(), now);
        deployments.record(d.id(), DeploymentEvent.Kind.LOG, null, null, "gantry", "canary analysis started: "
            + analysis.rounds() + " round(s), one every " + analysis.interval().text() + " over "
            + analysis.duration().text() + ", of " + analysis.checks().size() + " check(s) on " + names(canaries)
            + (analysis.metrics().isEmpty() ? "" : " and " + analysis.metrics().size() + " metric(s) queried on "
            + prometheus.where() + " (inconclusive counts as " + (analysis.inconclusive() == Stage.Inconclusive.PASS
            ? "passed" : "failed") + ")") + "; the other targets follow when at least " + ratio(analysis.threshold()) + " of the results pass",
            now);
      });
      recorded = records.analysis(d.id());
    }
    CanaryRecords.Analysis started = recorded.orElseThrow();
    List<CanaryRecords.Round> rounds = records.rounds(d.id());
    while (true) {
      int done = rounds.size();
      Verdict verdict = verdict(analysis, rounds);
      if (verdict != Verdict.UNDECIDED) {
        return end(d, analysis, rounds, canaries, verdict == Verdict.PASSED);
      }
      int next = done + 1;
      Instant due = started.startedAt().plus(analysis.interval().toDuration().multipliedBy(next));
      if (done > 0) {
        // never sooner than an interval after the round before: after a restart the rounds keep their spacing
        Instant spaced = rounds.getLast().startedAt().plus(analysis.interval().toDuration());
        due = spaced.isAfter(due) ? spaced : due;
      }
      if (clock.instant().isBefore(due)) {
        return progress.waitFor(d, DeploymentEvent.WaitKind.CANARY_ANALYSIS, "round " + next + " of "
            + analysis.rounds() + " of the canary analysis at " + due + so(rounds), due);
      }
      Optional<CanaryRecords.Round> round = runRound(d, plan, analysis, canaries, next, rounds);
      if (round.isEmpty()) {
        return Optional.of(clock.instant()); // aborted mid-round: the engine applies the abort
      }
      rounds = new ArrayList<>(rounds);
      rounds.add(round.get());
    }
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
        + " on " + names(canaries) + " to end at " + ends + " (gantry resume " + d.id() + " ends it now)", ends);
  }

  private enum Verdict { PASSED, FAILED, UNDECIDED }

  /**
   * Passed or failed once every round has run; failed sooner when the threshold can no longer be
   * reached even if every result still to come passed (each round to come counted as large as the last).
   */
  private static Verdict verdict(Stage.Analysis analysis, List<CanaryRecords.Round> rounds) {
    int passed = rounds.stream().mapToInt(CanaryRecords.Round::passed).sum();
    int total = rounds.stream().mapToInt(CanaryRecords.Round::total).sum();
    int left = analysis.rounds() - rounds.size();
    if (left <= 0) {
      return total > 0 && (double) passed / total >= analysis.threshold() ? Verdict.PASSED : Verdict.FAILED;
    }
    if (rounds.isEmpty()) {
      return Verdict.UNDECIDED;
    }
    long still = (long) left * Math.max(1, rounds.getLast().total());
    return (double) (passed + still) / (total + still) < analysis.threshold() ? Verdict.FAILED : Verdict.UNDECIDED;
  }

  private Optional<Instant> end(Deployment d, Stage.Analysis analysis, List<CanaryRecords.Round> rounds,
      List<TargetRun> canaries, boolean passed) {
    int p = rounds.stream().mapToInt(CanaryRecords.Round::passed).sum();
    int t = rounds.stream().mapToInt(CanaryRecords.Round::total).sum();
    String result = p + " of " + t + " check results passed in " + rounds.size() + " of " + analysis.rounds()
        + " round(s)" + (t == 0 ? "" : " (" + ratio((double) p / t) + ")") + ", at least "
        + ratio(analysis.threshold()) + " needed";
    Instant now = clock.instant();
    if (passed) {
      String outcome = "canary analysis passed: " + result;
      progress.writes().writeWith(() -> {
        records.end(d.id(), true, outcome, now);
        deployments.record(d.id(), DeploymentEvent.Kind.LOG, null, null, "gantry", outcome
            + "; the other targets follow", now);
      });
      return null;
    }
    String outcome = "canary analysis failed: " + (t == 0 ? "no check ran on the canary targets" : result)
        + (rounds.size() < analysis.rounds() ? " (the threshold could no longer be reached)" : "");
    progress.writes().writeWith(() -> {
      records.end(d.id(), false, outcome, now);
      deployments.transition(deployments.get(d.id()), DeploymentState.ROLLING_BACK, "gantry", outcome
          + "; rolling the canary targets (" + names(canaries) + ") back to their previous version; the other "
          + "targets were not touched", now);
    });
    return Optional.empty();
  }

  /** One round: every check on every canary target that ran the steps, up to maxParallel targets at a time. */
  private Optional<CanaryRecords.Round> runRound(Deployment d, Plan plan, Stage.Analysis analysis,
      List<TargetRun> canaries, int round, List<CanaryRecords.Round> before) {
    Instant startedAt = clock.instant();
    ComponentVersion version = library.get(d.component(), d.version());
    String phase = "analysis-" + round;
    List<Future<List<String>>> perTarget = new ArrayList<>();
    Integer maxParallel = plan.stage().strategy().maxParallel();
    Semaphore permits = new Semaphore(maxParallel == null ? Math.max(1, canaries.size()) : maxParallel);
    for (TargetRun run : canaries) {
      if (run.state() != TargetRunState.SUCCEEDED) {
        continue;
      }
      perTarget.add(workers.submit(() -> {
        permits.acquire();
        try {
          return checks(d, run, phase, analysis.checks(), version);
        } finally {
          permits.release();
        }
      }));
    }
    List<String> results = new ArrayList<>();
    for (Future<List<String>> f : perTarget) {
      try {
        results.addAll(f.get());
      } catch (Exception e) {
        throw new IllegalStateException("a canary target's analysis failed unexpectedly", e);
      }
    }
    if (aborts.stopping(d.id())) {
      return Optional.empty();
    }
    List<CanaryRecords.Measurement> measurements = measure(d, analysis, canaries, round);
    for (CanaryRecords.Measurement m : measurements) {
      results.add((m.countedPassed() ? PASSED : FAILED) + " metric " + m.metric() + " "
          + m.verdict().toLowerCase(Locale.ROOT) + ": " + (m.answer().isEmpty() ? "" : m.answer() + ", ")
          + m.reason());
    }
    int passed = (int) results.stream().filter(r -> r.startsWith(PASSED)).count();
    int total = results.size();
    CanaryRecords.Round r = new CanaryRecords.Round(d.id(), round, startedAt, passed, total,
        String.join("; ", results.stream().map(x -> x.substring(x.indexOf(' ') + 1)).toList()));
    int sumPassed = passed + before.stream().mapToInt(CanaryRecords.Round::passed).sum();
    int sumTotal = total + before.stream().mapToInt(CanaryRecords.Round::total).sum();
    progress.writes().writeWith(() -> {
      records.addRound(r);
      measurements.forEach(records::addMeasurement);
      deployments.record(d.id(), DeploymentEvent.Kind.LOG, null, null, "gantry", "canary analysis round " + round
          + " of " + analysis.rounds() + ": " + passed + " of " + total + " passed (" + r.results() + "); so far "
          + sumPassed + " of " + sumTotal + (sumTotal == 0 ? "" : " = " + ratio((double) sumPassed / sumTotal))
          + ", at least " + ratio(analysis.threshold()) + " needed", clock.instant());
    });
    return Optional.of(r);
  }

  /**
   * Queries each of the analysis's metrics once on Prometheus, its placeholders filled with this deployment's
   * values (escaped for PromQL strings); an inconclusive answer counts as the analysis's policy says.
   */
  private List<CanaryRecords.Measurement> measure(Deployment d, Stage.Analysis analysis, List<TargetRun> canaries,
      int round) {
    java.util.Map<String, String> values = java.util.Map.of(
        "canaryTargets", io.gantry.model.PromQl.anyOf(canaries.stream().map(TargetRun::target).toList()),
        "version", d.version(),
        "environment", d.environment(),
        "component", d.component().component(),
        "service", d.component().service(),
        "deployment", String.valueOf(d.id()));
    List<CanaryRecords.Measurement> out = new ArrayList<>();
    for (int i = 0; i < analysis.metrics().size(); i++) {
      Stage.Metric metric = analysis.metrics().get(i);
      if (metric.max() != null || metric.min() != null) {
        String query;
        Prometheus.Answer answer;
        try {
          query = io.gantry.model.PromQl.render(metric.query(), values);
          answer = prometheus.measure(metric, query);
        } catch (IllegalArgumentException e) {
          query = metric.query();
          answer = new Prometheus.Answer(Prometheus.Verdict.INCONCLUSIVE, "", null, "the query was not sent: "
              + e.getMessage());
        }
        out.add(measurement(d, analysis, round, i, metric.name(), query, answer));
      }
      if (metric.baseline() != null) {
        out.add(compare(d, analysis, canaries, round, i, metric, values));
      }
    }
    return out;
  }

  /** Metric numbers of the comparisons with the baseline, after the thresholds' (0, 1, ...): one row each. */
  static final int BASELINE = 1000;

  /**
   * The metric's samples on the canary against those on the other targets of the deployment, over the analysis
   * so far: its query rendered once with the canary targets and once with the others as {@code ${canaryTargets}}.
   */
  private CanaryRecords.Measurement compare(Deployment d, Stage.Analysis analysis, List<TargetRun> canaries,
      int round, int index, Stage.Metric metric, java.util.Map<String, String> values) {
    List<String> others = deployments.targetRuns(d.id()).stream().filter(r -> r.batch() > 0).map(TargetRun::target)
        .toList();
    String name = metric.name() + " vs baseline";
    java.util.Map<String, String> baselineValues = new java.util.HashMap<>(values);
    baselineValues.put("canaryTargets", io.gantry.model.PromQl.anyOf(others));
    Instant end = clock.instant();
    Instant start = records.analysis(d.id()).map(CanaryRecords.Analysis::startedAt).orElse(end);
    String canaryQuery;
    String baselineQuery;
    try {
      canaryQuery = io.gantry.model.PromQl.render(metric.query(), values);
      baselineQuery = io.gantry.model.PromQl.render(metric.query(), baselineValues);
    } catch (IllegalArgumentException e) {
      return measurement(d, analysis, round, BASELINE + index, name, metric.query(), new Prometheus.Answer(
          Prometheus.Verdict.INCONCLUSIVE, "", null, "the query was not sent: " + e.getMessage()));
    }
    String sent = "from " + start + " to " + end + ", canary: " + canaryQuery + "; baseline: " + baselineQuery;
    Prometheus.Answer answer = others.isEmpty()
        ? new Prometheus.Answer(Prometheus.Verdict.INCONCLUSIVE, "", null, "the deployment has no other targets "
            + "to compare the canary with")
        : prometheus.compare(metric, canaryQuery, baselineQuery, start, end);
    return measurement(d, analysis, round, BASELINE + index, name, sent, answer);
  }

  private CanaryRecords.Measurement measurement(Deployment d, Stage.Analysis analysis, int round, int metricNo,
      String name, String query, Prometheus.Answer answer) {
    boolean counted = answer.verdict() == Prometheus.Verdict.PASSED
        || answer.verdict() == Prometheus.Verdict.INCONCLUSIVE && analysis.inconclusive() == Stage.Inconclusive.PASS;
    return new CanaryRecords.Measurement(d.id(), round, metricNo, name, query, answer.values(),
        answer.sampledAt(), clock.instant(), answer.verdict().name(), counted, answer.reason()
        + (answer.verdict() == Prometheus.Verdict.INCONCLUSIVE ? "; counted as " + (counted ? "passed" : "failed")
        + " (inconclusive: " + (counted ? "pass" : "fail") + ")" : ""));
  }

  private static final String PASSED = "+";
  private static final String FAILED = "-";

  /**
   * The analysis checks of one round on one target, each recorded as a step run of the round's phase;
   * answers a result per check that applies to the target ("+ name on target passed" or "- ... failed: why").
   * A check found recorded (the round was interrupted) is not run again unless its outcome is unknown
   * and it is idempotent.
   */
  private List<String> checks(Deployment d, TargetRun run, String phase, List<Step> checks,
      ComponentVersion version) {
    Target target = targets.find(run.target()).orElse(null);
    List<String> out = new ArrayList<>();
    List<StepRun> recorded = deployments.stepRuns(run).stream().filter(s -> s.phase().equals(phase)).toList();
    for (int i = 0; i < checks.size(); i++) {
      Step check = checks.get(i);
      String what = check.name() + " on " + run.target();
      int index = i;
      StepRun previous = recorded.stream().filter(s -> s.index() == index).reduce((a, b) -> b).orElse(null);
      if (target == null) {
        out.add(FAILED + " " + what + " failed: the target no longer exists");
        continue;
      }
      List<String> missing = StepsOnTarget.missingTags(check, target);
      if (!missing.isEmpty()) {
        if (previous == null) {
          Instant now = clock.instant();
          progress.writes().writeWith(() -> deployments.skipStep(run, phase, index, check.name(),
              StepsOnTarget.type(check), StepsOnTarget.idempotent(check), run.target() + " does not carry the tag"
              + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + " that the check is for", now));
        }
        continue;
      }
      int attempt = 1;
      if (previous != null) {
        switch (previous.state()) {
          case SUCCEEDED -> {
            out.add(PASSED + " " + what + " passed");
            continue;
          }
          case FAILED -> {
            out.add(FAILED + " " + what + " failed: " + previous.outcome());
            continue;
          }
          case SKIPPED -> {
            continue;
          }
          case RUNNING, UNKNOWN -> {
            boolean again = StepsOnTarget.idempotent(check);
            if (previous.state() == StepRunState.RUNNING) {
              progress.writes().writeWith(() -> {
                deployments.record(d.id(), DeploymentEvent.Kind.INTERRUPTION, run.target(), check.name(), "gantry",
                    "check " + what + " was running when the engine stopped; its outcome is unknown"
                        + (again ? "; it is idempotent, so it runs again" : "; it is not declared idempotent, so it "
                        + "is not run again and counts as failed"), clock.instant());
                deployments.finishStep(previous, run, StepRunState.UNKNOWN, null, "interrupted", clock.instant());
              });
            }
            if (!again) {
              out.add(FAILED + " " + what + " failed: its outcome is unknown (interrupted, not idempotent)");
              continue;
            }
            attempt = previous.attempt() + 1;
          }
          default -> {
            out.add(FAILED + " " + what + " failed: " + previous.state().name().toLowerCase(Locale.ROOT));
            continue;
          }
        }
      }
      if (aborts.stopping(d.id())) {
        return out;
      }
      int thisAttempt = attempt;
      StepRun started = progress.writes().writeWith(() -> deployments.startStep(run, phase, index, check.name(),
          StepsOnTarget.type(check), StepsOnTarget.idempotent(check), thisAttempt, clock.instant()));
      StepOutputs.Capture output = outputs.capture(d.id(), started.id());
      TargetAccess on = access.apply(target);
      StepContext context = on.context(version, null, StepsOnTarget.variables(d, target, version), library::open,
          output);
      StepOutcome outcome;
      try {
        outcome = aborts.run(d.id(), run.target(), check, () -> on.run(check, context));
      } finally {
        output.finish();
      }
      StepOutput text = output.finish();
      Instant finished = clock.instant();
      switch (outcome) {
        case StepOutcome.Succeeded ok -> {
          progress.writes().writeWith(() -> deployments.finishStepWithOutput(started, run, StepRunState.SUCCEEDED,
              text, ok.summary(), finished));
          out.add(PASSED + " " + what + " passed");
        }
        case StepOutcome.Failed failed -> {
          progress.writes().writeWith(() -> deployments.finishStepWithOutput(started, run, StepRunState.FAILED,
              text, failed.reason(), finished));
          out.add(FAILED + " " + what + " failed: " + failed.reason());
        }
        case StepOutcome.NeedsPerson person -> {
          // shell and http-check steps never wait for people; counted as failed should one ever say so
          progress.writes().writeWith(() -> deployments.finishStepWithOutput(started, run, StepRunState.FAILED,
              text, person.what(), finished));
          out.add(FAILED + " " + what + " failed: " + person.what());
        }
      }
    }
    return out;
  }

  private static String so(List<CanaryRecords.Round> rounds) {
    int p = rounds.stream().mapToInt(CanaryRecords.Round::passed).sum();
    int t = rounds.stream().mapToInt(CanaryRecords.Round::total).sum();
    return t == 0 ? "" : " (so far " + p + " of " + t + " passed)";
  }

  /** A ratio with two decimals, or as many as it needs up to four (0.95, 1.00, 0.955, 0.6667). */
  static String ratio(double r) {
    java.math.BigDecimal exact = java.math.BigDecimal.valueOf(r).setScale(4, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros();
    return (exact.scale() < 2 ? exact.setScale(2) : exact).toPlainString();
  }

  private static String names(List<TargetRun> runs) {
    return String.join(", ", runs.stream().map(TargetRun::target).toList());
  }
}
