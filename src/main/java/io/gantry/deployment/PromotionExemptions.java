package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import java.util.Optional;

/**
 * What lets a version skip its promotion path: an authorized emergency change covering the component
 * in the environment. Implemented by the module that owns changes; the deployment module knows it only
 * through this interface.
 */
public interface PromotionExemptions {

  /** Why the component may reach the environment off its promotion path now (recorded), if it may. */
  Optional<String> exemption(ComponentRef component, String environment);
}
