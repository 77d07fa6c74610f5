package io.gantry.identity;

/**
 * A role binding as configuration declares it ({@code kind: RoleBinding}), by its document's name;
 * exactly one of {@code user} and {@code group}.
 */
public record RoleBindingDefinition(String name, String user, String group, Role role, String service,
    String environment) {

  RoleBindings.Subject subject() {
    return group != null ? RoleBindings.Subject.group(group) : RoleBindings.Subject.user(user);
  }
}
