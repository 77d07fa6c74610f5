package io.gantry.environment;

import java.util.Locale;

/**
 * How Gantry reaches a target: a folder on the Gantry host, a folder on another host over SSH, a
 * physical site where people do the work, or a namespace of a Kubernetes cluster (experimental).
 */
public enum TargetKind {
  LOCAL, SSH, SITE, KUBERNETES;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TargetKind fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
