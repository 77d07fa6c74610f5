package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An entry or exit criterion of a stage. Entry criteria hold a deployment before any target changes;
 * exit criteria hold its success after deployment verification. Only {@link Manual} and {@link Check}
 * may be exit criteria: the other two are facts known before a deployment starts.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Criterion.StageSucceeded.class, name = "stage-succeeded"),
    @JsonSubTypes.Type(value = Criterion.VersionStatus.class, name = "version-status"),
    @JsonSubTypes.Type(value = Criterion.Manual.class, name = "manual"),
    @JsonSubTypes.Type(value = Criterion.Check.class, name = "check")})
public sealed interface Criterion {

  /** The same version succeeded in another stage first. */
  record StageSucceeded(String stage) implements Criterion {}

  /** The version has this status in the library. */
  record VersionStatus(String status) implements Criterion {}

  /**
   * A holder of {@code role} confirms what the description says; unconfirmed after {@code timeout}
   * (when given) it counts as not met.
   */
  record Manual(String description, String role, TimeSpan timeout) implements Criterion {}

  /** A shell or http-check step passes on every target of the deployment. */
  record Check(Step step) implements Criterion {}
}
