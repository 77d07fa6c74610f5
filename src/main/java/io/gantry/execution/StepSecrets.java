package io.gantry.execution;

/**
 * Gives the values of the {@code ${secret:NAME}} references in a shell step's environment and a
 * template step's variables, when the step runs and not before.
 */
@FunctionalInterface
public interface StepSecrets {

  /** No secrets: references are left as written. */
  StepSecrets NONE = text -> text;

  /**
   * {@code text} with each reference replaced by its secret's value; throws when a secret cannot be
   * given, with a message that names it.
   */
  String resolve(String text);

  /**
   * As {@link #resolve(String)}, for {@code usedBy} (a step on a target, a connection to a host), which a store that
   * keeps the secrets' history records there as having been given each secret {@code text} names (never the value).
   */
  default String resolve(String text, String usedBy) {
    return resolve(text);
  }
}
