package io.gantry.execution;

/**
 * Whether a component's folder on a target is ready for its steps: {@code problem} is null when it is,
 * else what stops it (and what a person should do); {@code note} says what was done to make it ready
 * (e.g. files of an earlier layout moved), null when nothing was.
 */
public record Preparation(String problem, String note) {

  public static final Preparation READY = new Preparation(null, null);

  static Preparation refused(String problem) {
    return new Preparation(problem, null);
  }

  public boolean ready() {
    return problem == null;
  }
}
