package io.gantry.shared;

/** Stored bytes no longer match the digest they were recorded with: someone or something changed them. */
public class IntegrityViolationException extends RuntimeException {

  public IntegrityViolationException(String message) {
    super(message);
  }
}
