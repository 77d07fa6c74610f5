package io.gantry.shared;

/** The server has as much of this kind of work open as it takes: try again later or elsewhere (HTTP 503). */
public class BusyException extends RuntimeException {

  public BusyException(String message) {
    super(message);
  }
}
