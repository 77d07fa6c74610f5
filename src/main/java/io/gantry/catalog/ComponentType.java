package io.gantry.catalog;

import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What kind of thing a component is; hardware, licences and paper documents may carry no file. */
public enum ComponentType {
  SOFTWARE, INFRASTRUCTURE, CONFIGURATION, DOCUMENTATION, LICENCE, DATA, HARDWARE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ComponentType fromId(String field, String id) {
    return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst()
        .orElseThrow(() -> InvalidInputException.of(field, "\"" + id + "\" is not a component type; use one of: "
            + Arrays.stream(values()).map(ComponentType::id).collect(Collectors.joining(", "))));
  }
}
