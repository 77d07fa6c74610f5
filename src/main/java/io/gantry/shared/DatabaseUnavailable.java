package io.gantry.shared;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request that meets the database not answering before any controller runs (the token filter reads it first) is
 * answered 503 {@code database-unavailable} with {@code Retry-After}, as one a controller meets is
 * ({@link ProblemResponses}), rather than as an internal error with the servlet container's stack trace.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class DatabaseUnavailable extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailable.class);

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } catch (RuntimeException | ServletException e) {
      if (!ProblemResponses.databaseUnavailable(e) || response.isCommitted()) {
        throw e;
      }
      log.warn("{} {}: the database did not answer: {}", request.getMethod(), request.getRequestURI(), e.toString());
      response.resetBuffer();
      ProblemResponses.write(response, ProblemResponses.unavailable(request, response));
    }
  }
}
