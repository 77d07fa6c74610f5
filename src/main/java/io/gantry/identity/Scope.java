package io.gantry.identity;

/**
 * Where an action takes place: a service, an environment, or a service in an environment. A part that
 * is null is not part of the action (approving a version concerns a service in no environment); a role
 * bound to an environment then does not reach it.
 */
public record Scope(String service, String environment) {

  /** An action bound to no service or environment (applying configuration, managing users). */
  public static final Scope NONE = new Scope(null, null);

  public static Scope service(String service) {
    return new Scope(service, null);
  }

  /** For people to read: {@code service shop in environment prod}. */
  @Override
  public String toString() {
    if (service == null && environment == null) {
      return "everywhere";
    }
    return (service == null ? "" : "service " + service) + (service != null && environment != null ? " in " : "")
        + (environment == null ? "" : "environment " + environment);
  }
}
