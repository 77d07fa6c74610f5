package io.gantry.shared;

import java.util.List;

/** Input that was refused as a whole; nothing was changed. Carries every finding, not just the first. */
public class InvalidInputException extends RuntimeException {

  private final List<Finding> findings;

  public InvalidInputException(String summary, List<Finding> findings) {
    super(summary);
    this.findings = List.copyOf(findings);
  }

  public static InvalidInputException of(String field, String message) {
    return new InvalidInputException(message, List.of(Finding.of(field, message)));
  }

  public List<Finding> findings() {
    return findings;
  }
}
