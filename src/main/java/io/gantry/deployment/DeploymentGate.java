package io.gantry.deployment;

import io.gantry.model.Stage;
import java.time.Instant;
import java.util.Objects;

/**
 * A rule a deployment must pass before the engine plans it: an authorized change, an allowed window,
 * no freeze, no conflict. The engine asks every gate each time it looks at a deployment that has not
 * started, and again after a wait; the first gate that does not pass decides. Gates are Spring beans
 * of other modules; the engine knows them only through this interface.
 */
public interface DeploymentGate {

  /** What the gate says about the deployment now. */
  Verdict check(Deployment deployment, Stage stage, Instant now);

  /**
   * Called once, in the transaction that records a new deployment, so a gate can record what it
   * finds at planning time (e.g. conflicts) with {@link Deployments#record}. Refusing the request
   * is done by throwing {@link io.gantry.shared.InvalidInputException} or
   * {@link io.gantry.shared.ConflictException}; nothing is then recorded.
   */
  default void requested(Deployment deployment, Stage stage, Instant now) {}

  /**
   * Called once a deployment has passed every gate and been planned: what it waited for is over and
   * its work begins (e.g. its change is now implementing). A gate that throws here is logged; the
   * deployment goes on.
   */
  default void started(Deployment deployment, Instant now) {}

  /**
   * Called once a deployment has reached a final state (SUCCEEDED, FAILED, ROLLED_BACK or CANCELLED),
   * after that state is stored, so a gate can close what it opened (e.g. a change). A gate that
   * throws here is logged; the deployment's end stands.
   */
  default void finished(Deployment deployment, Instant now) {}

  /** The outcome of a gate. */
  sealed interface Verdict {

    /** The deployment may go on as far as this gate is concerned. */
    record Pass() implements Verdict {}

    /**
     * The deployment waits, recorded as a wait of this kind for {@code what}.
     *
     * @param lookAgainAt when the gate may say something else (a window opens); null means the engine's
     *     usual interval
     */
    record Wait(DeploymentEvent.WaitKind kind, String what, Instant lookAgainAt) implements Verdict {
      public Wait {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(what, "what");
      }
    }

    /** The deployment ends as FAILED with this reason (a rejected or expired change, a missed window). */
    record Fail(String reason) implements Verdict {
      public Fail {
        Objects.requireNonNull(reason, "reason");
      }
    }

    /**
     * The deployment does not run and ends as CANCELLED with this reason (what it was part of
     * stopped: an earlier member of its release failed, or the release was cancelled).
     */
    record Cancel(String reason) implements Verdict {
      public Cancel {
        Objects.requireNonNull(reason, "reason");
      }
    }

    Verdict PASS = new Pass();
  }
}
