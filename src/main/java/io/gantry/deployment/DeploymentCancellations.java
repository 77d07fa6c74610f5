package io.gantry.deployment;

import io.gantry.identity.Access;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Cancelling a deployment that has not started executing, by one who may request deployments in its
 * service and environment: the one way the API and the console cancel, so both check and record alike.
 */
@Service
public class DeploymentCancellations {

  /** The states a deployment can be cancelled in: before it executes. */
  static final Set<DeploymentState> CANCELLABLE = EnumSet.of(DeploymentState.REQUESTED, DeploymentState.PLANNED,
      DeploymentState.COMPONENTS_VERIFIED, DeploymentState.ENVIRONMENT_VERIFIED);

  private final Deployments deployments;
  private final DeploymentRequests requests;
  private final Access access;

  public DeploymentCancellations(Deployments deployments, DeploymentRequests requests, Access access) {
    this.deployments = deployments;
    this.requests = requests;
    this.access = access;
  }

  public Deployment cancel(long id, String reason, String actor) {
    access.require(actor, DeploymentController.REQUESTERS, deployments.get(id).scope(), "cancelling a deployment");
    return requests.cancel(id, reason, actor);
  }
}
