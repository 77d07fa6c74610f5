package io.gantry.deployment;

import java.time.Instant;
import java.util.List;

/** A person's decision on a step that waits for one: a sign-off, an approval or a rejection. */
public record Decision(long id, long deployment, String target, String step, Kind kind, String actor, String note,
    List<String> checklist, Instant at) {

  /** What was decided. */
  public enum Kind { SIGNOFF, APPROVE, REJECT }
}
