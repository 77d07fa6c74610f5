package io.gantry.execution;

import io.gantry.catalog.ComponentRef;
import io.gantry.shared.Names;

/**
 * The folder of one component on a target: {@code <target>/<service>.<component>/}. Service and
 * component names are 1-63 of {@code a-z 0-9 -} (checked again here, whatever the caller holds), so the
 * folder is always one path segment: never empty, never {@code .} or {@code ..}, never absolute, never
 * with a slash, and never {@code current} or {@code releases} (the names an earlier Gantry used at the
 * top of the target), since those have no dot.
 */
final class ComponentFolder {

  private ComponentFolder() {}

  /** The folder's name, e.g. {@code shop.web} for {@code shop/web}; refused for a name that is not valid. */
  static String of(ComponentRef component) {
    if (component == null || !Names.isValid(component.service()) || !Names.isValid(component.component())) {
      throw new StepFailure("component " + component + " cannot have a folder on a target: service and component "
          + "names must be 1 to 63 lower-case letters, digits and '-'");
    }
    return component.service() + "." + component.component();
  }
}
