package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** When a stage starts without a person asking. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Trigger.VersionRegistered.class, name = "version-registered"),
    @JsonSubTypes.Type(value = Trigger.VersionApproved.class, name = "version-approved"),
    @JsonSubTypes.Type(value = Trigger.StageSucceeded.class, name = "stage-succeeded"),
    @JsonSubTypes.Type(value = Trigger.Schedule.class, name = "schedule")})
public sealed interface Trigger {

  String stage();

  /** A new version enters the library. */
  record VersionRegistered(String stage) implements Trigger {}

  /** A version is approved in the library. */
  record VersionApproved(String stage) implements Trigger {}

  /** The version succeeded in the stage named {@code after}. */
  record StageSucceeded(String after, String stage) implements Trigger {}

  /** On a cron schedule in a time zone. */
  record Schedule(String stage, String cron, String timeZone) implements Trigger {}
}
