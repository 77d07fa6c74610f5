package io.gantry.console;

import java.util.List;

/**
 * One notice of a model version in force, for the person it was told to: why, who proposed the version and why,
 * how each signer decided, the diff from the version it replaced, and when it was read (null while unread).
 * Public for the compiled templates.
 */
public record NoticePage(long id, String model, int version, String why, String toldAt, String readAt, String author,
    String reason, List<Decision> decisions, String diff) {

  /** A signer's decision: {@code agree} or {@code reject}, with the comment. */
  public record Decision(String user, String decision, String comment, String at) {}
}
