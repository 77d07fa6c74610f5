package io.gantry.config;

import io.gantry.catalog.ComponentDefinition;
import io.gantry.catalog.ServiceDefinition;
import io.gantry.catalog.TrustedKeyDefinition;
import io.gantry.environment.EnvironmentDefinition;
import io.gantry.environment.TargetDefinition;
import io.gantry.identity.RoleBindingDefinition;
import io.gantry.inbound.InboundHookDefinition;
import io.gantry.model.ModelDefinition;
import java.util.Map;

/**
 * Everything a configuration declares, typed and checked, each definition keyed by its name
 * ({@code service/component} for components) and in declaration order.
 */
public record DesiredState(
    Map<String, Declared<EnvironmentDefinition>> environments,
    Map<String, Declared<TargetDefinition>> targets,
    Map<String, Declared<ServiceDefinition>> services,
    Map<String, Declared<ComponentDefinition>> components,
    Map<String, Declared<ModelDefinition>> models,
    Map<String, Declared<TrustedKeyDefinition>> trustedKeys,
    Map<String, Declared<RoleBindingDefinition>> roleBindings,
    Map<String, Declared<InboundHookDefinition>> inboundHooks) {

  /** A definition and the document it came from, to point at it in errors. */
  public record Declared<T>(T definition, ConfigDocument document) {}
}
