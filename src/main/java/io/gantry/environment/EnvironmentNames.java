package io.gantry.environment;

import io.gantry.identity.ScopeNames;
import org.springframework.stereotype.Component;

/** The environments a role may be bound to. */
@Component
class EnvironmentNames implements ScopeNames {

  private final Environments environments;

  EnvironmentNames(Environments environments) {
    this.environments = environments;
  }

  @Override
  public String kind() {
    return "environment";
  }

  @Override
  public boolean exists(String name) {
    return environments.find(name).isPresent();
  }
}
