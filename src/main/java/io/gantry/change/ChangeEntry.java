package io.gantry.change;

import java.time.Instant;

/** One entry of a change's append-only history. */
public record ChangeEntry(long id, long change, Instant at, Kind kind, ChangeState from, ChangeState to, String actor,
    String reason) {

  /** What an entry records. */
  public enum Kind { TRANSITION, DECISION, EXTERNAL, LINK, REVIEW }
}
