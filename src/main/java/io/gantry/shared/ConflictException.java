package io.gantry.shared;

/** The request is well formed but clashes with what is stored (HTTP 409). */
public class ConflictException extends RuntimeException {

  public ConflictException(String message) {
    super(message);
  }
}
