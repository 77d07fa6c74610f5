package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One stage of a model: a deployment into one environment and everything that governs it. {@code verification}
 * (optional) is an analysis of metrics over the deployment's targets once every target took the version and
 * passed its acceptance checks, before the exit criteria; when it fails, the failure policy runs.
 */
public record Stage(
    String name,
    String environment,
    Authorization authorization,
    Approvers approvers,
    List<Window> windows,
    Strategy strategy,
    List<Criterion> entryCriteria,
    List<Step> steps,
    List<Step> acceptance,
    List<Criterion> exitCriteria,
    FailurePolicy failurePolicy,
    List<Notification> notifications,
    List<Step> removeSteps,
    Analysis verification) {

  /** A stage without a verification analysis. */
  public Stage(String name, String environment, Authorization authorization, Approvers approvers, List<Window> windows,
      Strategy strategy, List<Criterion> entryCriteria, List<Step> steps, List<Step> acceptance,
      List<Criterion> exitCriteria, FailurePolicy failurePolicy, List<Notification> notifications,
      List<Step> removeSteps) {
    this(name, environment, authorization, approvers, windows, strategy, entryCriteria, steps, acceptance,
        exitCriteria, failurePolicy, notifications, removeSteps, null);
  }

  public Stage {
    authorization = authorization == null ? Authorization.AUTOMATIC : authorization;
    windows = windows == null ? List.of() : List.copyOf(windows);
    strategy = strategy == null ? new Strategy(Strategy.Type.ALL_AT_ONCE, null, null, null) : strategy;
    entryCriteria = entryCriteria == null ? List.of() : List.copyOf(entryCriteria);
    steps = steps == null ? List.of() : List.copyOf(steps);
    acceptance = acceptance == null ? List.of() : List.copyOf(acceptance);
    exitCriteria = exitCriteria == null ? List.of() : List.copyOf(exitCriteria);
    failurePolicy = failurePolicy == null ? new FailurePolicy(FailurePolicy.Action.STOP, null, null) : failurePolicy;
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
    removeSteps = removeSteps == null ? List.of() : List.copyOf(removeSteps);
  }

  /** What a deployment into the stage's environment needs before it may run. */
  public enum Authorization {
    @JsonProperty("automatic") AUTOMATIC,
    @JsonProperty("approval") APPROVAL,
    @JsonProperty("change") CHANGE
  }

  /**
   * Who approves, how many of them, and whether the requester is excluded; {@code standardChanges}
   * pre-authorizes standard changes into the stage.
   */
  public record Approvers(List<String> roles, Integer count, Boolean separationOfDuties, Boolean standardChanges) {
    public Approvers(List<String> roles, Integer count, Boolean separationOfDuties) {
      this(roles, count, separationOfDuties, null);
    }
  }

  /** A recurring allowed window: days of the week and a time span in a time zone. */
  public record Window(List<String> days, String start, String end, String timeZone) {}

  /**
   * How the steps are spread over the stage's targets; {@code canary} only with the canary type,
   * where {@code batchSize} splits the targets after the canary; {@code blueGreen} only with the
   * blue-green type, where it declares the two slots and the switch.
   */
  public record Strategy(Type type, String batchSize, Integer maxParallel, TimeSpan pauseBetweenBatches,
      Canary canary, BlueGreen blueGreen) {

    public Strategy(Type type, String batchSize, Integer maxParallel, TimeSpan pauseBetweenBatches, Canary canary) {
      this(type, batchSize, maxParallel, pauseBetweenBatches, canary, null);
    }

    public Strategy(Type type, String batchSize, Integer maxParallel, TimeSpan pauseBetweenBatches) {
      this(type, batchSize, maxParallel, pauseBetweenBatches, null);
    }

    public enum Type {
      @JsonProperty("all-at-once") ALL_AT_ONCE,
      @JsonProperty("rolling") ROLLING,
      @JsonProperty("canary") CANARY,
      @JsonProperty("blue-green") BLUE_GREEN
    }
  }

  /**
   * A canary: {@code share} of the targets (a count, or a percentage rounded up) take the version
   * first; after {@code pause} (optional) the {@code analysis} decides whether the rest follow or
   * the canary is rolled back.
   */
  public record Canary(String share, TimeSpan pause, Analysis analysis) {}

  /**
   * The canary's analysis: every {@code interval} over {@code duration}, each check on each canary
   * target and each metric queried once; the rest follow when at least {@code successRatio} of the
   * results passed (default 1). A metric whose query gives no number (no data, an error, NaN) is
   * inconclusive, and counts as {@code inconclusive} says: failed (the default) or passed.
   */
  public record Analysis(List<Step> checks, TimeSpan interval, TimeSpan duration, Double successRatio,
      List<Metric> metrics, Inconclusive inconclusive) {
    public Analysis {
      checks = checks == null ? List.of() : List.copyOf(checks);
      metrics = metrics == null ? List.of() : List.copyOf(metrics);
      inconclusive = inconclusive == null ? Inconclusive.FAIL : inconclusive;
    }

    public Analysis(List<Step> checks, TimeSpan interval, TimeSpan duration, Double successRatio) {
      this(checks, interval, duration, successRatio, null, null);
    }

    /** The share of results that must pass; all of them when not declared. */
    public double threshold() {
      return successRatio == null ? 1.0 : successRatio;
    }

    /** How many rounds the analysis runs: as many whole intervals as fit in its duration (at least one). */
    public int rounds() {
      long n = duration.toDuration().toMillis() / Math.max(1, interval.toDuration().toMillis());
      return (int) Math.max(1, Math.min(n, 10_000));
    }
  }

  /**
   * A Prometheus query of an analysis, evaluated once a round: each number it answers must be at most
   * {@code max} and at least {@code min}; and, with {@code baseline}, the canary's samples must not be
   * significantly worse than the other targets'. At least one of max, min and baseline. The query is the model's, trusted; the
   * {@code ${name}} placeholders in its string literals are filled with the deployment's values, escaped
   * (see {@link PromQl}).
   */
  public record Metric(String name, String query, Double max, Double min, Baseline baseline) {
    public Metric(String name, String query, Double max, Double min) {
      this(name, query, max, min, null);
    }
  }

  /**
   * A metric's comparison of the canary against the baseline (the deployment's other targets): the query's
   * samples over the analysis so far, once with {@code ${canaryTargets}} as the canary targets and once as the
   * others, compared by a one-sided Mann-Whitney U test; failed when the canary is worse (higher, or lower
   * with {@code worse: lower}) at significance {@code alpha} (default 0.05).
   */
  public record Baseline(Double alpha, Worse worse) {
    public Baseline {
      alpha = alpha == null ? 0.05 : alpha;
      worse = worse == null ? Worse.HIGHER : worse;
    }
  }

  /** Which way a metric gets worse. */
  public enum Worse {
    @JsonProperty("higher") HIGHER,
    @JsonProperty("lower") LOWER
  }

  /** How a metric that answered no number counts: as a failed result (the default) or a passed one. */
  public enum Inconclusive {
    @JsonProperty("fail") FAIL,
    @JsonProperty("pass") PASS
  }

  /**
   * A blue-green strategy's two slots on every target and how one is made live: the new version is
   * installed and verified in the idle slot while the live one serves, then one switch makes it live.
   *
   * @param slots the two slots, each with its own port
   * @param switchStep a shell step run after the {@code live} link moved, e.g. to point a proxy at the
   *     new live slot's port; optional
   * @param analysis an analysis of each target's idle slot (its checks against the slot, its metrics) after
   *     the slot passed its acceptance checks and before its switch; a failed one fails the target, nothing
   *     switched; optional
   */
  public record BlueGreen(Slots slots, @JsonProperty("switch") Step switchStep, Analysis analysis) {
    public BlueGreen(Slots slots, Step switchStep) {
      this(slots, switchStep, null);
    }
  }

  /** The {@code blue} and {@code green} slots of a blue-green strategy. */
  public record Slots(Slot blue, Slot green) {}

  /** One slot of a blue-green strategy: the port its version serves on. */
  public record Slot(Integer port) {}

  /** What happens when a step or the verification fails. */
  public record FailurePolicy(Action action, Integer retries, TimeSpan retryDelay) {
    public enum Action {
      @JsonProperty("stop") STOP,
      @JsonProperty("rollback") ROLLBACK,
      @JsonProperty("ask") ASK
    }
  }

  /** Who hears about which events of a deployment, and how. */
  public record Notification(List<String> on, String channel, List<String> to) {}
}
