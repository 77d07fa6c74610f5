package io.gantry.inbound;

import io.gantry.catalog.ComponentRef;
import java.util.Map;

/**
 * A repository of GitHub or GitLab whose signed webhooks register versions of one component, or an
 * artifact whose CDEvents do.
 *
 * @param repository as the sender names it: GitHub's {@code full_name}, GitLab's {@code path_with_namespace};
 *     null for CDEvents
 * @param artifact for CDEvents: the package URL of the artifact without its version ({@code pkg:oci/shop-web});
 *     null otherwise
 * @param secret the name of the secret in the secret store that verifies its deliveries (never the value);
 *     null for CDEvents, which come with an API token
 */
public record InboundHookDefinition(String name, String description, HookProvider provider, String repository,
    String artifact, ComponentRef component, String secret, Map<String, String> labels) {

  public InboundHookDefinition {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
