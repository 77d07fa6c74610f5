package io.gantry.shared;

/** An update based on a row version that is no longer current: someone else changed it first. */
public class StaleUpdateException extends ConflictException {

  public StaleUpdateException(String kind, String name, long expectedVersion) {
    super(kind + " \"" + name + "\" was changed by someone else (expected version " + expectedVersion
        + "); read it again and retry");
  }
}
