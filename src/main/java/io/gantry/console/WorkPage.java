package io.gantry.console;

import java.util.List;

/**
 * The signed-in person's work: the deployments waiting for an approval, a sign-off, a confirmation of a
 * criterion or a decision after a failure that its roles allow it to give, and the changes awaiting its
 * approval. Public for the compiled templates.
 */
public record WorkPage(List<Item> items, List<ChangeItem> changes) {

  public record Item(long deployment, String component, String version, String environment, String state,
      String kind, String target, String step, String instructions) {}

  /** A change awaiting the person's approval. */
  public record ChangeItem(String key, String title, String type, String requestedBy, String plannedStart) {}
}
