package io.gantry.shared;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised before a request reaches a controller (a path the firewall rejects, such as one with
 * {@code ..} or an encoded slash in it) are answered with a problem document like every other error,
 * instead of the framework's own JSON.
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:/error}")
  ProblemDetail error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status = code instanceof Integer c && HttpStatus.resolve(c) != null ? HttpStatus.valueOf(c)
        : HttpStatus.INTERNAL_SERVER_ERROR;
    if (status.is5xxServerError()) {
      return ProblemResponses.problem(status, "internal", "Internal error",
          "an unexpected error occurred; the server log has the details", List.of());
    }
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String detail = status == HttpStatus.BAD_REQUEST
        ? "the request path " + uri + " is refused: it may not hold '..', '//', encoded slashes, backslashes, "
            + "semicolons or control characters"
        : status.getReasonPhrase() + ": " + uri;
    return ProblemResponses.problem(status, status == HttpStatus.NOT_FOUND ? "not-found" : "malformed-request",
        status.getReasonPhrase(), detail, status == HttpStatus.BAD_REQUEST ? List.of(Finding.of("path", detail))
            : List.of());
  }
}
