package io.gantry.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One environment: what it is for, its targets with their facts, and what runs there (the version of each
 * component on each target, and the deployment that put it there). Public for the compiled templates only.
 */
public record EnvironmentPage(String name, String description, String purpose, boolean controlled, String owner,
    List<String> promotesTo, Map<String, String> labels, List<TargetRow> targets, List<Placement> placements) {

  public record TargetRow(String name, String description, String kind, String location, Map<String, String> facts,
      List<String> tags) {}

  /** A component's version on a target, put there by {@code deployment}. */
  public record Placement(String component, String target, String version, long deployment, Instant since) {}
}
