package io.gantry.catalog;

import io.gantry.identity.ScopeNames;
import org.springframework.stereotype.Component;

/** The services a role may be bound to. */
@Component
class ServiceNames implements ScopeNames {

  private final Services services;

  ServiceNames(Services services) {
    this.services = services;
  }

  @Override
  public String kind() {
    return "service";
  }

  @Override
  public boolean exists(String name) {
    return services.find(name).isPresent();
  }
}
