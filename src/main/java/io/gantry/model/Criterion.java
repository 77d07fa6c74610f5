package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** An entry or exit criterion of a stage. */
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

  /** A person confirms what the description says. */
  record Manual(String description) implements Criterion {}

  /** A shell or http-check step passes. */
  record Check(Step step) implements Criterion {}
}
