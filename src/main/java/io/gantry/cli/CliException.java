package io.gantry.cli;

import java.util.List;

/**
 * An expected failure: printed as {@code error: message} followed by its detail lines, never as a
 * stack trace, and ending the command with {@link #exitCode()}.
 */
class CliException extends RuntimeException {

  private final int exitCode;
  private final List<String> details;

  CliException(int exitCode, String message) {
    this(exitCode, message, List.of());
  }

  CliException(int exitCode, String message, List<String> details) {
    super(message);
    this.exitCode = exitCode;
    this.details = List.copyOf(details);
  }

  int exitCode() {
    return exitCode;
  }

  List<String> details() {
    return details;
  }
}
