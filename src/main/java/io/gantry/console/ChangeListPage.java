package io.gantry.console;

import java.time.Instant;
import java.util.List;

/**
 * The change list as one person sees it: the changes its roles reach, newest first, maybe of one state.
 * Public for the compiled templates only.
 */
public record ChangeListPage(String state, List<String> states, List<Row> changes, int page, boolean hasNext,
    long total, String refusal) {

  public record Row(String key, String title, String type, String state, String risk, Instant plannedStart,
      Instant plannedEnd, String requestedBy, String scope) {}

  /** The link to another page of the same list. */
  public String link(int to) {
    return "/console/changes?page=" + to + (state == null ? "" : "&state=" + state);
  }
}
