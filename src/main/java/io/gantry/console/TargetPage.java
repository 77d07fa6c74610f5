package io.gantry.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One target: its facts, what runs on it, and the deployments that worked on it, newest first. Public for
 * the compiled templates only.
 */
public record TargetPage(String name, String description, String environment, String kind, String path,
    String location, Map<String, String> facts, List<String> tags, Map<String, String> labels,
    List<EnvironmentPage.Placement> placements, List<HistoryRow> history) {

  /** A deployment that worked on the target: its overall state and its run's state on this target. */
  public record HistoryRow(long deployment, String component, String version, String kind, String state,
      String runState, String requestedBy, Instant startedAt, Instant finishedAt) {}
}
