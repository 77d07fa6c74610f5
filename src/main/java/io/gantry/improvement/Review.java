package io.gantry.improvement;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A review of one deployment (practice guide Table 3.2, "deployment review and deployment failure records
 * analysis"): what happened, its causes, and the follow-up actions agreed.
 */
public record Review(long id, long deployment, String service, String environment, String whatHappened,
    String causes, String writtenBy, Instant writtenAt, List<FollowUp> followUps) {

  /**
   * An action agreed in a review, with the user who owns it and the day it is due. {@code overdue} is true when it
   * is still open after its due day (UTC) has passed.
   */
  public record FollowUp(long id, long review, long deployment, String action, String owner, LocalDate due,
      State state, boolean overdue, String addedBy, Instant addedAt, String doneBy, Instant doneAt) {}

  /** Whether an action is still to do. */
  public enum State {
    OPEN, DONE;

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
