package io.gantry.identity;

/**
 * Who makes an identity change, recorded in its history: a user's name and the API token it acted
 * with, or Gantry itself (no token) for what it does on its own, such as creating the first
 * administrator.
 */
public record Actor(String name, Long token) {

  /** Gantry itself. */
  public static final Actor GANTRY = new Actor("gantry", null);

  public Actor {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an actor needs a name");
    }
  }

  /** A user acting without an API token, e.g. the main job acting for the first administrator. */
  public static Actor named(String name) {
    return new Actor(name, null);
  }
}
