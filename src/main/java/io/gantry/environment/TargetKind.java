package io.gantry.environment;

import java.util.Locale;

/** How Gantry reaches a target: a directory on the Gantry host, or a physical site where people work. */
public enum TargetKind {
  LOCAL, SITE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TargetKind fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
