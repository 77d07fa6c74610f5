package io.gantry.release;

import io.gantry.catalog.ComponentRef;
import java.time.Instant;
import java.util.List;

/**
 * A named set of component versions, recorded once and never changed, in dependency order.
 *
 * @param items the versions, each component after the components of the set it requires
 */
public record Release(long id, String name, String description, String createdBy, Instant createdAt,
    List<Item> items) {

  public Release {
    items = List.copyOf(items);
  }

  /** One component version of the release, at its place in dependency order (from 0). */
  public record Item(int position, ComponentRef component, String version) {

    @Override
    public String toString() {
      return component + "@" + version;
    }
  }
}
