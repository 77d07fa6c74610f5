package io.gantry.schedule;

import io.gantry.deployment.Deployment;
import java.util.Optional;

/**
 * Which deployments may run inside a freeze: an emergency change. Another module provides it as a
 * Spring bean; without one, no deployment is exempt. An exemption overrides freezes only, never a
 * stage's windows, and is recorded on the deployment with its reason.
 */
public interface FreezeExemptions {

  /** Why the deployment may run inside a freeze (e.g. "emergency change CHG-12: payment outage"), if it may. */
  Optional<String> exemption(Deployment deployment);
}
