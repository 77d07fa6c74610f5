package io.gantry.identity;

/**
 * The services or the environments that exist, so that a role is never bound to a name that names
 * nothing (a typo would grant nothing and nobody would notice). The modules that keep them provide one
 * each.
 */
public interface ScopeNames {

  /** What this one knows: {@code service} or {@code environment}. */
  String kind();

  boolean exists(String name);
}
