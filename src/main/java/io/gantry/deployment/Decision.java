package io.gantry.deployment;

import java.time.Instant;
import java.util.List;

/** A person's decision on what a deployment waits for: a sign-off, an approval, a confirmation or a rejection. */
public record Decision(long id, long deployment, String target, String step, Kind kind, String actor, String note,
    List<String> checklist, Instant at, Instant appliedAt) {

  /**
   * What was decided: on a step, or (RETRY, SKIP, ABORT) on a failed target under the "ask" policy,
   * or (CONFIRM, REJECT) on a manual entry or exit criterion of the stage.
   */
  public enum Kind { SIGNOFF, APPROVE, REJECT, RETRY, SKIP, ABORT, RESUME, CONFIRM }
}
