package io.gantry.metrics;

import io.gantry.deployment.Deployments;
import io.gantry.identity.Access;
import java.security.Principal;
import org.springframework.stereotype.Component;

/** Whether a caller reads a deployment: as reading the deployment itself, its roles must reach its scope. */
@Component
class DeploymentReach {

  private final Deployments deployments;
  private final Access access;

  DeploymentReach(Deployments deployments, Access access) {
    this.deployments = deployments;
    this.access = access;
  }

  /**
   * Refused, naming the deployment's scope, unless the caller's roles reach it; a deployment that does
   * not exist passes, to be answered as the caller answers it.
   */
  void require(Long id, Principal principal) {
    if (id != null) {
      deployments.find(id).ifPresent(d -> access.reach(principal.getName(), Access.INSIDERS)
          .requireSees("deployment #" + id, d.scope()));
    }
  }
}
