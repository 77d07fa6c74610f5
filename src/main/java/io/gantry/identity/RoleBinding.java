package io.gantry.identity;

import java.time.Instant;

/**
 * A role that a user, or every member of a group, holds in a scope: one service (every environment),
 * one environment (every service), or one service in one environment. It reaches an action whose
 * scope lies inside it. Exactly one of {@code user} and {@code group} is set.
 */
public record RoleBinding(long id, String user, String group, Role role, String service, String environment,
    Instant createdAt, String createdBy, String name) {

  /** As configuration would declare it; null for a binding made through the API. */
  public RoleBindingDefinition definition() {
    return name == null ? null : new RoleBindingDefinition(name, user, group, role, service, environment);
  }

  public RoleBindings.Subject subject() {
    return group != null ? RoleBindings.Subject.group(group) : RoleBindings.Subject.user(user);
  }

  /** Whether the action's scope lies inside this binding's. */
  public boolean covers(Scope action) {
    return (service == null || service.equals(action.service()))
        && (environment == null || environment.equals(action.environment()));
  }

  public Scope scope() {
    return new Scope(service, environment);
  }
}
