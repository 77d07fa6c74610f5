package io.gantry.shared;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * Every error the API returns is an RFC 9457 {@code application/problem+json} document. Input errors
 * carry an {@code errors} array naming each field and, for files, the line and column.
 */
@RestControllerAdvice
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
public class ProblemResponses {

  private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
  public static final String TYPE_BASE = "https://gantry.io/problems/";

  @ExceptionHandler(InvalidInputException.class)
  ProblemDetail invalid(InvalidInputException e) {
    return problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-input", "Invalid input", e.getMessage(),
        e.findings());
  }

  @ExceptionHandler(InvalidParameterException.class)
  ProblemDetail invalidParameter(InvalidParameterException e) {
    return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", e.getMessage(), e.findings());
  }

  @ExceptionHandler(NotFoundException.class)
  ProblemDetail notFound(NotFoundException e) {
    return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage(), List.of());
  }

  @ExceptionHandler(StaleUpdateException.class)
  ProblemDetail stale(StaleUpdateException e) {
    return problem(HttpStatus.CONFLICT, "stale-update", "Stale update", e.getMessage(), List.of());
  }

  @ExceptionHandler(ConflictException.class)
  ProblemDetail conflict(ConflictException e) {
    return problem(HttpStatus.CONFLICT, "conflict", "Conflict", e.getMessage(), List.of());
  }

  @ExceptionHandler(BusyException.class)
  ProblemDetail busy(BusyException e, jakarta.servlet.http.HttpServletResponse response) {
    response.setHeader("Retry-After", "10");
    return problem(HttpStatus.SERVICE_UNAVAILABLE, "busy", "Busy", e.getMessage(), List.of());
  }

  @ExceptionHandler(IntegrityViolationException.class)
  ProblemDetail integrity(IntegrityViolationException e) {
    log.error("integrity violation: {}", e.getMessage());
    return problem(HttpStatus.CONFLICT, "integrity-violation", "Integrity violation", e.getMessage(), List.of());
  }

  @ExceptionHandler(AccessDeniedException.class)
  ProblemDetail forbidden(AccessDeniedException e) {
    return problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", e.getMessage(), List.of());
  }

  @ExceptionHandler(MaxUploadSizeExceededException.class)
  ProblemDetail tooLarge(MaxUploadSizeExceededException e) {
    String limit = e.getMaxUploadSize() > 0 ? " of " + e.getMaxUploadSize() + " bytes" : "";
    return problem(HttpStatus.CONTENT_TOO_LARGE, "upload-too-large", "Upload too large",
        "the upload is larger than the limit" + limit + " (GANTRY_MAX_UPLOAD)",
        List.of(Finding.of("file", "larger than the upload limit" + limit)));
  }

  @ExceptionHandler(MethodArgumentNotValidException.class)
  ProblemDetail beanValidation(MethodArgumentNotValidException e) {
    List<Finding> findings = e.getBindingResult().getFieldErrors().stream()
        .map(f -> Finding.of(f.getField(), f.getDefaultMessage())).toList();
    return problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-input", "Invalid input",
        "the request body has " + findings.size() + " invalid field(s)", findings);
  }

  /** Constraints on a handler's parameters themselves (rather than on a body's fields). */
  @ExceptionHandler(HandlerMethodValidationException.class)
  ProblemDetail parameterValidation(HandlerMethodValidationException e) {
    List<Finding> findings = e.getParameterValidationResults().stream()
        .flatMap(r -> r.getResolvableErrors().stream().map(error -> Finding.of(
            r.getMethodParameter().getParameterName(), error.getDefaultMessage()))).toList();
    return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request",
        "the request has " + findings.size() + " invalid parameter(s)", findings);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail unreadable(HttpMessageNotReadableException e) {
    Throwable cause = e.getCause();
    String field = "";
    String message = "the request body is not valid JSON";
    int line = 0;
    int column = 0;
    if (cause instanceof DatabindException de) {
      field = de.getPath().stream()
          .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
          .reduce("", (a, b) -> a.isEmpty() || b.startsWith("[") ? a + b : a + "." + b);
      message = de.getOriginalMessage();
    } else if (cause instanceof JacksonException je) {
      message = je.getOriginalMessage();
    }
    if (cause instanceof JacksonException je && je.getLocation() != null) {
      line = je.getLocation().getLineNr();
      column = je.getLocation().getColumnNr();
    }
    // what cannot be read is the body itself, unless a field of it is named
    Finding finding = new Finding(field.isEmpty() ? "body" : field, message,
        line > 0 ? new SourceLocation("<request body>", line, column) : null);
    return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", message, List.of(finding));
  }

  @ExceptionHandler({MissingServletRequestParameterException.class, MissingServletRequestPartException.class,
      MethodArgumentTypeMismatchException.class})
  ProblemDetail badParameter(Exception e) {
    String field = switch (e) {
      case MissingServletRequestParameterException m -> m.getParameterName();
      case MissingServletRequestPartException m -> m.getRequestPartName();
      case MethodArgumentTypeMismatchException m -> m.getName();
      default -> "";
    };
    return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", e.getMessage(),
        List.of(Finding.of(field, e.getMessage())));
  }

  @ExceptionHandler(NoResourceFoundException.class)
  ProblemDetail noRoute(NoResourceFoundException e) {
    return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", "no such resource: /" + e.getResourcePath(),
        List.of());
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ProblemDetail method(HttpRequestMethodNotSupportedException e) {
    return problem(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", e.getMessage(),
        List.of());
  }

  @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
  ProblemDetail notAcceptable(HttpMediaTypeNotAcceptableException e) {
    return problem(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable",
        "the API answers in JSON (application/json), which the request's Accept header does not allow", List.of());
  }

  /**
   * The client went away during a streamed answer (a deployment's stream, a download): no one to answer, and
   * nothing went wrong on this side.
   */
  @ExceptionHandler(org.springframework.web.context.request.async.AsyncRequestNotUsableException.class)
  void disconnected(org.springframework.web.context.request.async.AsyncRequestNotUsableException e,
      jakarta.servlet.http.HttpServletResponse response) {
    log.debug("client went away: {}", e.getMessage());
  }

  @ExceptionHandler(Exception.class)
  ProblemDetail unexpected(Exception e, HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
    if (e instanceof ErrorResponse known && known.getStatusCode().is4xxClientError()) {
      // the web layer's own refusals (an unsupported content type, a broken multipart body, a missing
      // header): the client's mistake, said as such
      HttpStatus status = HttpStatus.valueOf(known.getStatusCode().value());
      String detail = known.getBody().getDetail() == null ? e.getMessage() : known.getBody().getDetail();
      return problem(status, "malformed-request", status.getReasonPhrase(), detail, List.of(Finding.of("", detail)));
    }
    if (e instanceof org.springframework.web.multipart.MultipartException) {
      return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request",
          "the multipart body could not be read: " + e.getMessage(), List.of(Finding.of("body", e.getMessage())));
    }
    Optional<String> full = diskFull(e);
    if (full.isPresent()) {
      // nothing of the request is kept (uploads are staged and moved into place only once written whole)
      log.error("{} {}: the server's disk is full: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
      return problem(HttpStatus.INSUFFICIENT_STORAGE, "insufficient-storage", "Insufficient storage",
          "the server's disk is full (" + full.get() + "): nothing of this request was kept; free space on the "
              + "server (the data directory's file system) and send it again", List.of());
    }
    if (databaseUnavailable(e)) {
      log.warn("{} {}: the database did not answer: {}", request.getMethod(), request.getRequestURI(), e.toString());
      return unavailable(request, response);
    }
    log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
    return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error",
        "an unexpected error occurred; the server log has the details", List.of());
  }

  /**
   * Whether the failure is the database not answering: a connection it dropped (a restart, a failover, a
   * connection ended by its administrator), none to be had, or none that could be opened. A pooled connection the
   * database dropped fails once, when it is next used, and the pool then replaces it.
   */
  static boolean databaseUnavailable(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof org.springframework.dao.DataAccessResourceFailureException
          || cause instanceof java.sql.SQLTransientConnectionException
          || cause instanceof java.sql.SQLNonTransientConnectionException) {
        return true;
      }
      // SQL states: 08 a connection exception, 57P01-57P03 the server shutting down or not yet accepting
      if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
        return true;
      }
    }
    return false;
  }

  /** The answer to a request the database did not answer for: 503, try again shortly. */
  static ProblemDetail unavailable(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
    response.setHeader("Retry-After", "5");
    boolean changes = !List.of("GET", "HEAD", "OPTIONS").contains(request.getMethod());
    return problem(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Database unavailable",
        "the database did not answer (it may be restarting or failing over): try again in a few seconds"
            + (changes ? "; if the connection was lost while this request's change was committed, whether it was "
                + "kept is not known: look before sending it again" : ""), List.of());
  }

  /** What a full disk (or a used-up quota) said, somewhere in the failure's causes. */
  static Optional<String> diskFull(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.io.IOException io && io.getMessage() != null
          && (io.getMessage().contains("No space left on device") || io.getMessage().contains("Disk quota exceeded"))) {
        // the device's words only: where the server keeps its files is not the caller's business
        return Optional.of(io.getMessage().contains("No space") ? "no space left on device" : "disk quota exceeded");
      }
    }
    return Optional.empty();
  }

  /**
   * Writes {@code body} as the answer, from where no controller answers (a filter): the fields the problem has, as
   * the API document describes them, with no null instance and no "properties".
   */
  public static void write(jakarta.servlet.http.HttpServletResponse response, ProblemDetail body)
      throws java.io.IOException {
    response.setStatus(body.getStatus());
    response.setContentType("application/problem+json");
    var document = new LinkedHashMap<String, Object>();
    document.put("type", body.getType().toString());
    document.put("title", body.getTitle());
    document.put("status", body.getStatus());
    document.put("detail", body.getDetail());
    if (body.getProperties() != null) {
      document.putAll(body.getProperties());
    }
    response.getWriter().write(Json.write(document));
  }

  public static ProblemDetail problem(HttpStatus status, String type, String title, String detail,
      List<Finding> findings) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setType(URI.create(TYPE_BASE + type));
    p.setTitle(title);
    if (!findings.isEmpty()) {
      List<Map<String, Object>> errors = new ArrayList<>();
      for (Finding f : findings) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("field", f.field() == null ? "" : f.field());
        error.put("message", f.message());
        if (f.location() != null) {
          error.put("file", f.location().file());
          error.put("line", f.location().line());
          error.put("column", f.location().column());
        }
        errors.add(error);
      }
      p.setProperty("errors", errors);
    }
    return p;
  }
}
