package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What each target must offer before anything is changed (verification of the target environment). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TargetRequirement.Fact.class, name = "fact"),
    @JsonSubTypes.Type(value = TargetRequirement.FreeDisk.class, name = "free-disk"),
    @JsonSubTypes.Type(value = TargetRequirement.Tool.class, name = "tool"),
    @JsonSubTypes.Type(value = TargetRequirement.Command.class, name = "command")})
public sealed interface TargetRequirement {

  /** A fact of the target has this value. */
  record Fact(String fact, String equals) implements TargetRequirement {}

  /** At least this much free disk where artifacts go. */
  record FreeDisk(Integer minimumMb) implements TargetRequirement {}

  /** A tool is on the target's PATH. */
  record Tool(String name) implements TargetRequirement {}

  /** A custom check command exits 0. */
  record Command(String command) implements TargetRequirement {}
}
