package io.gantry.deployment;

import io.gantry.identity.Role;
import io.gantry.identity.Access;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts a person's abort of a deployment that is executing or verifying its steps (or waiting for a
 * person in between). The abort is recorded, with its reason, in the database before anything else:
 * the engine that holds the deployment, on whichever server, finds it there, stops the running steps
 * on every target and hands the deployment to the stage's failure policy. A deployment that waits is
 * woken so that an engine does so at once.
 */
@Service
public class DeploymentAborts {

  /** Those who may abort a deployment that is changing targets. */
  static final Set<Role> MAY_ABORT = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER);

  private final Deployments deployments;
  private final Access access;
  private final TransactionTemplate tx;
  private final Clock clock;

  public DeploymentAborts(Deployments deployments, Access access, TransactionTemplate tx, Clock clock) {
    this.deployments = deployments;
    this.access = access;
    this.tx = tx;
    this.clock = clock;
  }

  /** Records the abort of deployment {@code id} by {@code actor}; answers the deployment as it now reads. */
  public Deployment abort(long id, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "say why the deployment is aborted (the reason is recorded)");
    }
    access.require(actor, MAY_ABORT, deployments.get(id).scope(), "aborting a deployment");
    String why = reason.strip();
    return tx.execute(s -> {
      Deployment d = deployments.get(id);
      refuseUnlessExecuting(d);
      Instant now = clock.instant();
      if (!deployments.requestAbort(id, actor, why, now)) {
        Deployments.AbortRequest earlier = deployments.abortRequest(id).orElseThrow();
        throw new ConflictException("deployment #" + id + " is already being aborted (by " + earlier.actor()
            + " at " + earlier.at() + ": " + earlier.reason() + ")");
      }
      deployments.record(id, DeploymentEvent.Kind.ABORT, null, null, actor, "abort requested: " + why, now);
      deployments.wake(id, now);
      return deployments.get(id);
    });
  }

  private static void refuseUnlessExecuting(Deployment d) {
    String is = "deployment #" + d.id() + " is " + d.state();
    switch (d.state()) {
      case EXECUTING, VERIFYING -> { }
      case REQUESTED, PLANNED, COMPONENTS_VERIFIED, ENVIRONMENT_VERIFIED -> throw new ConflictException(is
          + " and has not started executing: nothing runs to abort; stop it with gantry cancel " + d.id()
          + " --reason \"...\" (POST /api/v1/deployments/" + d.id() + "/cancel)");
      case ROLLING_BACK -> throw new ConflictException(is + ": a rollback puts targets back and is not aborted");
      case SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED -> throw new ConflictException(is
          + " and has ended; there is nothing to abort");
    }
  }
}
