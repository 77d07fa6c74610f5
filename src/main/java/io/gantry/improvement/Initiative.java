package io.gantry.improvement;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * An improvement initiative (practice guide Table 3.1): what it is, who owns it, its state, the effect expected on
 * one KPI and in which direction, the model version that implemented it (null until linked), what it is linked to,
 * its state history, and its measured effect (empty until evaluated).
 *
 * @param windowDays the length of the windows before and after the version came into force that are compared
 */
public record Initiative(long id, String title, String description, String owner, InitiativeState state,
    String expectedEffect, Kpi kpi, Direction direction, int windowDays, String model, Integer modelVersion,
    String createdBy, Instant createdAt, Instant updatedAt, long rowVersion, List<Link> links,
    List<Transition> history, List<Effect> effects) {

  /** Which way the expected KPI should move. */
  public enum Direction {
    UP, DOWN;

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What an initiative may be linked to. */
  public enum LinkKind {
    /** A deployment model, by name. */
    MODEL,
    /** The review of a deployment, by the deployment's id. */
    REVIEW,
    /** A failure cause, by its error signature as failure analysis gives it. */
    FAILURE,
    /** A KPI its effect is also measured by. */
    KPI;

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public record Link(LinkKind kind, String ref, String linkedBy, Instant linkedAt) {}

  /** One change of state, with who made it, why and when ({@code from} null for its registration). */
  public record Transition(InitiativeState from, InitiativeState to, String actor, String reason, Instant at) {}

  /**
   * The measured effect on one KPI: its value over the window before the model version came into force and over
   * the window after, the deployments each rests on, and which way it moved ({@code up}, {@code down},
   * {@code same}, or {@code unknown} when a window has nothing to compute it from). {@code asExpected} says, for
   * the KPI the initiative expected to move, whether it moved that way; null for the other KPIs.
   */
  public record Effect(Kpi kpi, String model, int modelVersion, Instant inForceAt, Instant beforeFrom,
      Instant afterTo, Double before, Double after, long beforeBasis, long afterBasis, String movement,
      Boolean asExpected, Instant measuredAt) {}
}
