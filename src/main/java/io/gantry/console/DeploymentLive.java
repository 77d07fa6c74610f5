package io.gantry.console;

import java.util.List;

/**
 * The part of a deployment's page that follows it while it runs: its state, each target's progress step by
 * step, and its log (the latest entries of its record and the output of its latest steps). Polled every two
 * seconds until the deployment has finished. Public for the compiled templates only.
 */
public record DeploymentLive(long id, String state, String loadedState, boolean finished, String waitingNow,
    List<String> steps, List<TargetRow> targets, List<LogLine> log, List<Output> outputs) {

  /** Whether the deployment has moved on since the page was loaded, so its actions may no longer fit. */
  public boolean movedOn() {
    return loadedState != null && !loadedState.equals(state);
  }

  /** The address the page polls, carrying the state it was loaded in. */
  public String pollUrl() {
    return "/console/deployments/" + id + "/live?loaded=" + (loadedState == null ? state : loadedState);
  }

  /** One target's row: its run and, per step (in the order of {@code steps}), its latest run there or null. */
  public record TargetRow(String target, int batch, String state, String outcome, List<Cell> cells) {}

  /** One step's latest run on a target. */
  public record Cell(long stepRun, String state, int attempt, String startedAt, String finishedAt, String duration,
      boolean hasOutput) {}

  public record LogLine(long id, String at, String kind, String target, String step, String actor, String message) {}

  /**
   * The last bytes one step run printed: as its record keeps them once it has finished, or so far while it runs;
   * {@code whole} when all of it was kept in a file (a finished run's, downloadable).
   */
  public record Output(long stepRun, String target, String step, String state, String text, boolean whole) {}
}
