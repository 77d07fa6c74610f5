package io.gantry.inbound;

import io.gantry.shared.InvalidInputException;
import java.util.Locale;

/** Who sends a hook's webhooks. */
public enum HookProvider {
  GITHUB, GITLAB, CDEVENTS;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The provider of that id; refused naming {@code field} otherwise. */
  public static HookProvider fromId(String field, String id) {
    for (HookProvider p : values()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw InvalidInputException.of(field, "\"" + id + "\" is not a provider of inbound events; use github, gitlab or cdevents");
  }
}
