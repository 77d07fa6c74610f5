package io.gantry.console;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.StaleUpdateException;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;

/**
 * What a console page says when a service refuses a request: the refusal's own words (every finding of
 * refused input), and the HTTP status the API would answer with. Anything else is not a refusal.
 */
final class Refusals {

  private Refusals() {}

  /** Whether the exception is one of the services' refusals (and not a fault). */
  static boolean isRefusal(RuntimeException e) {
    return e instanceof InvalidInputException || e instanceof NotFoundException || e instanceof ConflictException
        || e instanceof StaleUpdateException || e instanceof AccessDeniedException;
  }

  static String message(RuntimeException e) {
    if (e instanceof InvalidInputException invalid && !invalid.findings().isEmpty()) {
      return invalid.findings().stream().map(f -> f.field() == null ? f.message() : f.field() + ": " + f.message())
          .collect(Collectors.joining("; "));
    }
    return e instanceof AccessDeniedException ? "Refused: " + e.getMessage() : e.getMessage();
  }

  static HttpStatus status(RuntimeException e) {
    return switch (e) {
      case InvalidInputException i -> HttpStatus.UNPROCESSABLE_CONTENT;
      case NotFoundException n -> HttpStatus.NOT_FOUND;
      case AccessDeniedException a -> HttpStatus.FORBIDDEN;
      default -> HttpStatus.CONFLICT;
    };
  }

  /** Throws {@code e} again unless it is a refusal. */
  static RuntimeException unlessRefusal(RuntimeException e) {
    if (!isRefusal(e)) {
      throw e;
    }
    return e;
  }
}
