package io.gantry.secret;

/** A secret that is referenced but cannot be given: not set, or sealed with a key this server lacks. */
public final class SecretUnavailableException extends RuntimeException {
  SecretUnavailableException(String message) {
    super(message);
  }
}
