package io.gantry.shared;

/**
 * A setting or file that keeps the server from starting, such as a secrets key file others may read;
 * the message says what is wrong and what to do, and is all the server prints of it.
 */
public class StartupProblem extends RuntimeException {

  public StartupProblem(String message) {
    super(message);
  }
}
