package io.gantry.console;

import java.util.List;

/**
 * What the landing page shows of the person signed in: its user, its own roles, the roles bound to it
 * (or to one of its groups) and where, and its groups. Public for the compiled templates only.
 */
public record HomePage(String user, String displayName, List<String> roles, List<Binding> bindings,
    List<String> groups) {

  /** A role held in a scope, through the user itself or through {@code group}. */
  public record Binding(String role, String scope, String group) {}
}
