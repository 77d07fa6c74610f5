package io.gantry.notification;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A moment of a deployment that people can be told about, as a stage's {@code notifications[].on} and a
 * subscription name it, and the CDEvents that tell of it.
 */
public enum Moment {
  /** The deployment started (its pipeline run started): {@code dev.cdevents.pipelinerun.started}. */
  STARTED,
  /** It ended successfully: {@code dev.cdevents.pipelinerun.finished} with outcome {@code success}. */
  SUCCEEDED,
  /** It ended failed: {@code dev.cdevents.pipelinerun.finished} with outcome {@code failure} or {@code error}. */
  FAILED,
  /** A version was rolled back to the one before: {@code dev.cdevents.service.rolledback}. */
  ROLLED_BACK,
  /** It was cancelled before it changed anything: {@code dev.cdevents.pipelinerun.finished} with {@code cancel}. */
  CANCELLED,
  /** It waits for a person (an approval, a manual step, a decision, a confirmation): Gantry's own waiting event. */
  WAITING;

  /** The id used in models, the API and the CLI: {@code rolled-back}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<Moment> of(String id) {
    return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
  }

  /** Every id, for messages: {@code started, succeeded, ...}. */
  public static String ids() {
    return Arrays.stream(values()).map(Moment::id).collect(Collectors.joining(", "));
  }

  /**
   * The moment an event tells of, or none: read from its type and, for a finished pipeline run, its outcome
   * ({@code subject.content.outcome}).
   */
  static Optional<Moment> of(String type, String outcome) {
    if (type.startsWith("dev.cdevents.pipelinerun.started.")) {
      return Optional.of(STARTED);
    }
    if (type.startsWith("dev.cdevents.service.rolledback.")) {
      return Optional.of(ROLLED_BACK);
    }
    if (type.startsWith("dev.cdeventsx.gantry-deployment.waiting.")) {
      return Optional.of(WAITING);
    }
    if (type.startsWith("dev.cdevents.pipelinerun.finished.")) {
      return switch (outcome == null ? "" : outcome) {
        case "success" -> Optional.of(SUCCEEDED);
        case "failure", "error" -> Optional.of(FAILED);
        case "cancel" -> Optional.of(CANCELLED);
        default -> Optional.empty();
      };
    }
    return Optional.empty();
  }
}
