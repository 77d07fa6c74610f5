package io.gantry.identity;

/** A role binding as configuration declares it ({@code kind: RoleBinding}), by its document's name. */
public record RoleBindingDefinition(String name, String user, Role role, String service, String environment) {}
