package io.gantry.environment;

import java.util.Locale;

/**
 * How Gantry reaches a target: a folder on the Gantry host, a folder on another host over SSH, a
 * physical site where people do the work, a namespace of a Kubernetes cluster (experimental), or a host
 * whose agent pulls its work from the server.
 */
public enum TargetKind {
  LOCAL, SSH, SITE, KUBERNETES, AGENT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TargetKind fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
