package io.gantry.cli;

/** Starts the Gantry server in this JVM with the given Spring arguments. */
@FunctionalInterface
public interface ServerLauncher {

  /**
   * Starts the server and returns once it serves.
   *
   * @throws NotStarted when the server cannot start for a reason the user can act on
   */
  void start(String[] springArgs);

  /** The server did not start: why, and what to do about it, in one line (and one more per finding). */
  final class NotStarted extends RuntimeException {

    public NotStarted(String reason) {
      super(reason);
    }
  }
}
