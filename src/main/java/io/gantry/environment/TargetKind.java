package io.gantry.environment;

import java.util.Locale;

/**
 * How Gantry reaches a target: a folder on the Gantry host, a folder on another host over SSH, or a
 * physical site where people do the work.
 */
public enum TargetKind {
  LOCAL, SSH, SITE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TargetKind fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
