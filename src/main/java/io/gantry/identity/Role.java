package io.gantry.identity;

import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The roles of the practice guide (section 4.1) that Gantry knows. */
public enum Role {
  DEPLOYMENT_MANAGER, DEPLOYMENT_PRACTITIONER, SERVICE_OWNER, TECHNICAL_SPECIALIST, SERVICE_DESK, SUPPLIER, AUDITOR;

  /** The name used in the API and in configuration: {@code deployment-manager}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The Spring Security authority: {@code ROLE_DEPLOYMENT_MANAGER}. */
  public String authority() {
    return "ROLE_" + name();
  }

  public static Role fromId(String id) {
    return fromId("roles", id);
  }

  /** The role of that id; refused naming {@code field} otherwise. */
  public static Role fromId(String field, String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst()
        .orElseThrow(() -> InvalidInputException.of(field, "\"" + id + "\" is not a role; use one of: "
            + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "))));
  }
}
