package io.gantry.deployment;

import java.time.Instant;
import java.util.Locale;

/**
 * One entry of a deployment's record, kept for good: a state transition, a wait (with what is waited
 * for, and what kind of thing that is), a step's start or end on a target, a log line, an
 * interruption found after a restart, a conflict found with another deployment or the schedule, a
 * person's abort and what it stopped, or a blue-green switch.
 */
public record DeploymentEvent(long id, long deployment, Instant at, Kind kind, DeploymentState from,
    DeploymentState to, String target, String step, String actor, String message, WaitKind waitingFor) {

  /**
   * What an entry records; {@code SWITCH} is a blue-green target's switch to its new slot, or back to the
   * slot it served from before.
   */
  public enum Kind { TRANSITION, WAIT, TARGET, STEP, LOG, INTERRUPTION, CONFLICT, ABORT, SWITCH }

  /**
   * Whether the entry is the start of a blue-green switch (or switch back) on a target: the value stream
   * map shows the time from it to the next entry as a segment of its own.
   */
  public boolean startsSwitch() {
    return kind == Kind.STEP && message != null && (message.startsWith(BlueGreen.SWITCH + " step ")
        || message.startsWith(BlueGreen.SWITCH_BACK + " step ")) && message.contains("(" + BlueGreen.SWITCH_KIND
        + ") started");
  }

  /** What a wait is for: the kinds of waiting time the value stream map tells apart. */
  public enum WaitKind {
    /** An earlier deployment to the same environment and component (the queue). */
    LOCK,
    /** The time it was planned for (deploy --at). */
    SCHEDULE,
    /** An authorized change that covers it. */
    CHANGE,
    /** An approval step or an approval rule. */
    APPROVAL,
    /** An allowed window of the stage, or the end of a freeze. */
    WINDOW,
    /** A person doing a manual task (a manual step). */
    MANUAL,
    /** A person deciding what to do after a failure (the ask policy). */
    DECISION,
    /** The delay before a failed step is tried again (the failure policy's retryDelay). */
    RETRY,
    /** The members of its release before it (members run one at a time, in dependency order). */
    RELEASE,
    /** The stage's pause between two batches of a rolling deployment (a person may end it early). */
    PAUSE,
    /** A holder of a role confirming a manual entry criterion of the stage (gantry confirm). */
    ENTRY_CONFIRMATION,
    /** A holder of a role confirming a manual exit criterion of the stage (gantry confirm). */
    EXIT_CONFIRMATION,
    /** A canary's pause after its first targets took the version (a person may end it early). */
    CANARY_PAUSE,
    /** The time between two rounds of a canary's analysis (the checks themselves are process time). */
    CANARY_ANALYSIS,
    /**
     * A target held by another deployment (of any component) that runs its steps there: a target runs
     * one deployment's steps at a time.
     */
    TARGET_BUSY,
    /** The time between two rounds of the analysis of a blue-green target's idle slot, before its switch. */
    SWITCH_ANALYSIS,
    /** The time between two rounds of a stage's verification analysis, once every target took the version. */
    VERIFY_ANALYSIS;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
