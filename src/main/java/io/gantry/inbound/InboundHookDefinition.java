package io.gantry.inbound;

import io.gantry.catalog.ComponentRef;
import java.util.Map;

/**
 * A repository of GitHub or GitLab whose signed webhooks register versions of one component.
 *
 * @param repository as the sender names it: GitHub's {@code full_name}, GitLab's {@code path_with_namespace}
 * @param secret the name of the secret in the secret store that verifies its deliveries (never the value)
 */
public record InboundHookDefinition(String name, String description, HookProvider provider, String repository,
    ComponentRef component, String secret, Map<String, String> labels) {

  public InboundHookDefinition {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
