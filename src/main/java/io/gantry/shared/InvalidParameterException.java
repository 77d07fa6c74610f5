package io.gantry.shared;

/**
 * A request parameter (a query parameter such as {@code page}, {@code size} or {@code limit}) outside
 * what the API accepts: a malformed request (HTTP 400) rather than refused content, naming the
 * parameter.
 */
public class InvalidParameterException extends InvalidInputException {

  public InvalidParameterException(String parameter, String message) {
    super(message, java.util.List.of(Finding.of(parameter, message)));
  }

  /** The value if it lies within {@code min..max}, else a refusal naming the parameter and the range. */
  public static int within(String parameter, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidParameterException(parameter, parameter + " must be between " + min + " and " + max
          + ", was " + value);
    }
    return value;
  }
}
