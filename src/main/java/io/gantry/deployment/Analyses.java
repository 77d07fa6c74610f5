package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.Slot;
import io.gantry.execution.StepContext;
import io.gantry.execution.StepOutcome;
import io.gantry.execution.TargetAccess;
import io.gantry.model.PromQl;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An analysis run in rounds: every interval over its duration, each check on each analysed target and each
 * metric queried once on Prometheus. It passes when, after every round, at least its success ratio of all
 * results passed, and fails as soon as that ratio can no longer be reached. The canary's analysis, a blue-green
 * target's idle slot before its switch and a stage's verification are each one ({@link Subject}).
 *
 * <p>Everything is read from the record ({@link AnalysisRecords}): the start, and the rounds, each written
 * with its measurements when it ends; so the time between rounds is a wait that holds no worker, and an engine
 * that restarts neither loses nor repeats a round (one under way when it stopped is run again whole).
 */
final class Analyses {

  /**
   * What is analysed and how the analysis is named.
   *
   * @param scope the analysis's name within the deployment (see {@link AnalysisRecords})
   * @param title how the record names it, e.g. "canary analysis"
   * @param targets the targets whose checks run each round (those that succeeded), and whose names fill
   *     {@code targetsPlaceholder}
   * @param targetsPlaceholder the placeholder of the analysed targets' names ({@code canaryTargets} or
   *     {@code targets})
   * @param baseline the other targets a metric with {@code baseline} is compared with
   * @param values placeholders of the subject's own beside the deployment's (e.g. the idle slot and its port)
   * @param slots the slot a target's checks run against (null: none)
   * @param phase the step-run phase of the checks of round N, before the N
   * @param waitKind what the time between rounds counts as in the value stream map
   */
  record Subject(String scope, String title, Stage.Analysis analysis, List<TargetRun> targets,
      String targetsPlaceholder, List<String> baseline, Map<String, String> values, Function<String, Slot> slots,
      String phase, DeploymentEvent.WaitKind waitKind, Integer maxParallel) {}

  /** Where an analysis stands after a look at it. */
  sealed interface Outcome {
    /** It passed (now or before); {@code outcome} says with how many results. */
    record Passed(String outcome) implements Outcome {}

    /** It failed (now or before). */
    record Failed(String outcome) implements Outcome {}

    /** Its next round is due at {@code at}; {@code what} is the wait to record. */
    record Waits(DeploymentEvent.WaitKind kind, String what, Instant at) implements Outcome {}

    /** The deployment is being aborted: the round under way was not written. */
    record Aborted() implements Outcome {}
  }

  private final Deployments deployments;
  private final AnalysisRecords records;
  private final Library library;
  private final Targets targets;
  private final Function<Target, TargetAccess> access;
  private final Clock clock;
  private final Progress progress;
  private final StepOutputs outputs;
  private final Aborts aborts;
  private final ExecutorService workers;
  private final Prometheus prometheus;

  Analyses(Deployments deployments, Library library, Targets targets, Function<Target, TargetAccess> access,
      Clock clock, Progress progress, StepOutputs outputs, Aborts aborts, ExecutorService workers,
      Prometheus prometheus) {
    this.deployments = deployments;
    this.records = deployments.analyses();
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

  /** The analysis's end as recorded, if it has ended. */
  Optional<Outcome> ended(Deployment d, String scope) {
    return records.analysis(d.id(), scope).filter(a -> a.endedAt() != null).map(a -> Boolean.TRUE.equals(a.passed())
        ? new Outcome.Passed(a.outcome()) : new Outcome.Failed(a.outcome()));
  }

  /**
   * Starts the analysis if it has not started, runs every round that is due, and answers where it stands.
   * {@code alsoAtEnd} is written in the commit that ends it, with whether it passed and its outcome.
   */
  Outcome advance(Deployment d, Subject s, BiConsumer<Boolean, String> alsoAtEnd) {
    Optional<Outcome> ended = ended(d, s.scope());
    if (ended.isPresent()) {
      return ended.get();
    }
    Stage.Analysis analysis = s.analysis();
    Optional<AnalysisRecords.Analysis> recorded = records.analysis(d.id(), s.scope());
    if (recorded.isEmpty()) {
      Instant now = clock.instant();
      progress.writes().writeWith(() -> {
        records.start(d.id(), s.scope(), now);
        deployments.record(d.id(), DeploymentEvent.Kind.LOG, target(s), null, "gantry", s.title() + " started: "
            + analysis.rounds() + " round(s), one every " + analysis.interval().text() + " over "
            + analysis.duration().text() + ", of " + analysis.checks().size() + " check(s) on " + names(s.targets())
            + (analysis.metrics().isEmpty() ? "" : " and " + analysis.metrics().size() + " metric(s) queried on "
            + prometheus.where() + " (inconclusive counts as " + (analysis.inconclusive() == Stage.Inconclusive.PASS
            ? "passed" : "failed") + ")") + "; it passes when at least " + ratio(analysis.threshold())
            + " of the results pass", now);
      });
      recorded = records.analysis(d.id(), s.scope());
    }
    AnalysisRecords.Analysis started = recorded.orElseThrow();
    List<AnalysisRecords.Round> rounds = records.rounds(d.id(), s.scope());
    while (true) {
      int done = rounds.size();
      Verdict verdict = verdict(analysis, rounds);
      if (verdict != Verdict.UNDECIDED) {
        return end(d, s, rounds, verdict == Verdict.PASSED, alsoAtEnd);
      }
      int next = done + 1;
      Instant due = started.startedAt().plus(analysis.interval().toDuration().multipliedBy(next));
      if (done > 0) {
        // never sooner than an interval after the round before: after a restart the rounds keep their spacing
        Instant spaced = rounds.getLast().startedAt().plus(analysis.interval().toDuration());
        due = spaced.isAfter(due) ? spaced : due;
      }
      if (clock.instant().isBefore(due)) {
        return new Outcome.Waits(s.waitKind(), "round " + next + " of " + analysis.rounds() + " of the "
            + s.title() + " at " + due + so(rounds), due);
      }
      Optional<AnalysisRecords.Round> round = runRound(d, s, started, next, rounds);
      if (round.isEmpty()) {
        return new Outcome.Aborted();
      }
      rounds = new ArrayList<>(rounds);
      rounds.add(round.get());
    }
  }

  private enum Verdict { PASSED, FAILED, UNDECIDED }

  /**
   * Passed or failed once every round has run; failed sooner when the threshold can no longer be
   * reached even if every result still to come passed (each round to come counted as large as the last).
   */
  private static Verdict verdict(Stage.Analysis analysis, List<AnalysisRecords.Round> rounds) {
    int passed = rounds.stream().mapToInt(AnalysisRecords.Round::passed).sum();
    int total = rounds.stream().mapToInt(AnalysisRecords.Round::total).sum();
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

  private Outcome end(Deployment d, Subject s, List<AnalysisRecords.Round> rounds, boolean passed,
      BiConsumer<Boolean, String> alsoAtEnd) {
    Stage.Analysis analysis = s.analysis();
    int p = rounds.stream().mapToInt(AnalysisRecords.Round::passed).sum();
    int t = rounds.stream().mapToInt(AnalysisRecords.Round::total).sum();
    String result = p + " of " + t + " check results passed in " + rounds.size() + " of " + analysis.rounds()
        + " round(s)" + (t == 0 ? "" : " (" + ratio((double) p / t) + ")") + ", at least "
        + ratio(analysis.threshold()) + " needed";
    String outcome = passed ? s.title() + " passed: " + result : s.title() + " failed: "
        + (t == 0 ? "no check ran on " + names(s.targets()) : result)
        + (rounds.size() < analysis.rounds() ? " (the threshold could no longer be reached)" : "");
    Instant now = clock.instant();
    progress.writes().writeWith(() -> {
      records.end(d.id(), s.scope(), passed, outcome, now);
      deployments.record(d.id(), DeploymentEvent.Kind.LOG, target(s), null, "gantry", outcome, now);
      alsoAtEnd.accept(passed, outcome);
    });
    return passed ? new Outcome.Passed(outcome) : new Outcome.Failed(outcome);
  }

  /** One round: every check on every analysed target, up to maxParallel at a time, then the metrics. */
  private Optional<AnalysisRecords.Round> runRound(Deployment d, Subject s, AnalysisRecords.Analysis started,
      int round, List<AnalysisRecords.Round> before) {
    Stage.Analysis analysis = s.analysis();
    Instant startedAt = clock.instant();
    ComponentVersion version = library.get(d.component(), d.version());
    String phase = s.phase() + round;
    List<Future<List<String>>> perTarget = new ArrayList<>();
    Semaphore permits = new Semaphore(s.maxParallel() == null ? Math.max(1, s.targets().size()) : s.maxParallel());
    if (!analysis.checks().isEmpty()) {
      for (TargetRun run : s.targets()) {
        if (run.state() == TargetRunState.FAILED || run.state() == TargetRunState.SKIPPED
            || run.state() == TargetRunState.ROLLING_BACK || run.state() == TargetRunState.ROLLED_BACK) {
          continue;
        }
        perTarget.add(workers.submit(() -> {
          permits.acquire();
          try {
            return checks(d, run, phase, analysis.checks(), version, s.slots().apply(run.target()));
          } finally {
            permits.release();
          }
        }));
      }
    }
    List<String> results = new ArrayList<>();
    for (List<String> checked : Together.all(perTarget, "an analysed target's checks failed unexpectedly")) {
      results.addAll(checked);
    }
    if (aborts.stopping(d.id())) {
      return Optional.empty();
    }
    List<AnalysisRecords.Measurement> measurements = measure(d, s, started, round);
    for (AnalysisRecords.Measurement m : measurements) {
      results.add((m.countedPassed() ? PASSED : FAILED) + " metric " + m.metric() + " "
          + m.verdict().toLowerCase(Locale.ROOT) + ": " + (m.answer().isEmpty() ? "" : m.answer() + ", ")
          + m.reason());
    }
    int passed = (int) results.stream().filter(r -> r.startsWith(PASSED)).count();
    int total = results.size();
    AnalysisRecords.Round r = new AnalysisRecords.Round(d.id(), s.scope(), round, startedAt, passed, total,
        String.join("; ", results.stream().map(x -> x.substring(x.indexOf(' ') + 1)).toList()));
    int sumPassed = passed + before.stream().mapToInt(AnalysisRecords.Round::passed).sum();
    int sumTotal = total + before.stream().mapToInt(AnalysisRecords.Round::total).sum();
    progress.writes().writeWith(() -> {
      records.addRound(r);
      measurements.forEach(records::addMeasurement);
      deployments.record(d.id(), DeploymentEvent.Kind.LOG, target(s), null, "gantry", s.title() + " round " + round
          + " of " + analysis.rounds() + ": " + passed + " of " + total + " passed (" + r.results() + "); so far "
          + sumPassed + " of " + sumTotal + (sumTotal == 0 ? "" : " = " + ratio((double) sumPassed / sumTotal))
          + ", at least " + ratio(analysis.threshold()) + " needed", clock.instant());
    });
    return Optional.of(r);
  }

  /**
   * Queries each of the analysis's metrics once on Prometheus, its placeholders filled with this deployment's
   * and the subject's values (escaped for PromQL strings); an inconclusive answer counts as the analysis's
   * policy says.
   */
  private List<AnalysisRecords.Measurement> measure(Deployment d, Subject s, AnalysisRecords.Analysis started,
      int round) {
    Map<String, String> values = new HashMap<>(s.values());
    values.put(s.targetsPlaceholder(), PromQl.anyOf(s.targets().stream().map(TargetRun::target).toList()));
    values.put("version", d.version());
    values.put("environment", d.environment());
    values.put("component", d.component().component());
    values.put("service", d.component().service());
    values.put("deployment", String.valueOf(d.id()));
    List<AnalysisRecords.Measurement> out = new ArrayList<>();
    List<Stage.Metric> metrics = s.analysis().metrics();
    for (int i = 0; i < metrics.size(); i++) {
      Stage.Metric metric = metrics.get(i);
      if (metric.max() != null || metric.min() != null) {
        String query;
        Prometheus.Answer answer;
        try {
          query = PromQl.render(metric.query(), values);
          answer = prometheus.measure(metric, query);
        } catch (IllegalArgumentException e) {
          query = metric.query();
          answer = new Prometheus.Answer(Prometheus.Verdict.INCONCLUSIVE, "", null, "the query was not sent: "
              + e.getMessage());
        }
        out.add(measurement(d, s, round, i, metric.name(), query, answer));
      }
      if (metric.baseline() != null) {
        out.add(compare(d, s, started, round, i, metric, values));
      }
    }
    return out;
  }

  /** Metric numbers of the comparisons with the baseline, after the thresholds' (0, 1, ...): one row each. */
  static final int BASELINE = 1000;

  /**
   * The metric's samples on the analysed targets against those on the baseline targets, over the analysis so
   * far: its query rendered once with the analysed targets and once with the baseline's as the targets'
   * placeholder.
   */
  private AnalysisRecords.Measurement compare(Deployment d, Subject s, AnalysisRecords.Analysis started, int round,
      int index, Stage.Metric metric, Map<String, String> values) {
    String name = metric.name() + " vs baseline";
    Map<String, String> baselineValues = new HashMap<>(values);
    baselineValues.put(s.targetsPlaceholder(), PromQl.anyOf(s.baseline()));
    Instant end = clock.instant();
    Instant start = started.startedAt();
    String analysedQuery;
    String baselineQuery;
    try {
      analysedQuery = PromQl.render(metric.query(), values);
      baselineQuery = PromQl.render(metric.query(), baselineValues);
    } catch (IllegalArgumentException e) {
      return measurement(d, s, round, BASELINE + index, name, metric.query(), new Prometheus.Answer(
          Prometheus.Verdict.INCONCLUSIVE, "", null, "the query was not sent: " + e.getMessage()));
    }
    String sent = "from " + start + " to " + end + ", canary: " + analysedQuery + "; baseline: " + baselineQuery;
    Prometheus.Answer answer = s.baseline().isEmpty()
        ? new Prometheus.Answer(Prometheus.Verdict.INCONCLUSIVE, "", null, "the deployment has no other targets "
            + "to compare the canary with")
        : prometheus.compare(metric, analysedQuery, baselineQuery, start, end);
    return measurement(d, s, round, BASELINE + index, name, sent, answer);
  }

  private AnalysisRecords.Measurement measurement(Deployment d, Subject s, int round, int metricNo, String name,
      String query, Prometheus.Answer answer) {
    boolean counted = answer.verdict() == Prometheus.Verdict.PASSED || answer.verdict()
        == Prometheus.Verdict.INCONCLUSIVE && s.analysis().inconclusive() == Stage.Inconclusive.PASS;
    return new AnalysisRecords.Measurement(d.id(), s.scope(), round, metricNo, name, query, answer.values(),
        answer.sampledAt(), clock.instant(), answer.verdict().name(), counted, answer.reason()
        + (answer.verdict() == Prometheus.Verdict.INCONCLUSIVE ? "; counted as " + (counted ? "passed" : "failed")
        + " (inconclusive: " + (counted ? "pass" : "fail") + ")" : ""));
  }

  private static final String PASSED = "+";
  private static final String FAILED = "-";

  /**
   * The analysis checks of one round on one target (against {@code slot} when given), each recorded as a
   * step run of the round's phase; answers a result per check that applies to the target ("+ name on target
   * passed" or "- ... failed: why"). A check found recorded (the round was interrupted) is not run again
   * unless its outcome is unknown and it is idempotent.
   */
  private List<String> checks(Deployment d, TargetRun run, String phase, List<Step> checks, ComponentVersion version,
      Slot slot) {
    Target target = targets.find(run.target()).orElse(null);
    List<String> out = new ArrayList<>();
    List<StepRun> recorded = deployments.stepRuns(run).stream().filter(s -> s.phase().equals(phase)).toList();
    for (int i = 0; i < checks.size(); i++) {
      Step check = checks.get(i);
      String what = check.name() + " on " + run.target() + (slot == null ? "" : " (slot " + slot.name() + ")");
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
      StepContext context = on.context(version, slot, StepsOnTarget.variables(d, target, version), library::open,
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

  /** The target an analysis of one target's idle slot is about (its record's lines carry it); else null. */
  private static String target(Subject s) {
    return AnalysisRecords.targetOf(s.scope());
  }

  private static String so(List<AnalysisRecords.Round> rounds) {
    int p = rounds.stream().mapToInt(AnalysisRecords.Round::passed).sum();
    int t = rounds.stream().mapToInt(AnalysisRecords.Round::total).sum();
    return t == 0 ? "" : " (so far " + p + " of " + t + " passed)";
  }

  /** A ratio with two decimals, or as many as it needs up to four (0.95, 1.00, 0.955, 0.6667). */
  static String ratio(double r) {
    java.math.BigDecimal exact = java.math.BigDecimal.valueOf(r).setScale(4, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros();
    return (exact.scale() < 2 ? exact.setScale(2) : exact).toPlainString();
  }

  static String names(List<TargetRun> runs) {
    return String.join(", ", runs.stream().map(TargetRun::target).toList());
  }
}
