package io.gantry.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps bearer tokens that are not Gantry's own away from {@link TokenAuthenticationFilter}, which
 * runs after it and sees only {@code gty_} and {@code gte_} tokens and requests without one. Without
 * single sign-on such a token is refused, saying the server takes only Gantry API tokens; with it, a
 * request the resource server has authenticated goes on with its Authorization header hidden.
 */
final class OtherBearerTokens extends OncePerRequestFilter {

  private final boolean singleSignOn;

  OtherBearerTokens(boolean singleSignOn) {
    this.singleSignOn = singleSignOn;
  }

  /** The bearer token of the request when it is not a Gantry API token or enrolment code, else null. */
  static String token(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).strip();
    return token.isEmpty() || token.startsWith("gty_") || token.startsWith("gte_") ? null : token;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (token(request) == null) {
      chain.doFilter(request, response);
      return;
    }
    if (!singleSignOn) {
      SecurityConfiguration.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
          "this server takes only Gantry API tokens (gty_...): single sign-on is not configured "
              + "(gantry.oidc.issuer-uri), so a token from an identity provider is not accepted");
      return;
    }
    if (!(SecurityContextHolder.getContext().getAuthentication() instanceof JwtUsers.Authenticated)) {
      // not reached: the resource server answers every other bearer token itself when it refuses it
      chain.doFilter(request, response);
      return;
    }
    chain.doFilter(new HttpServletRequestWrapper(request) {
      @Override
      public String getHeader(String name) {
        return "Authorization".equalsIgnoreCase(name) ? null : super.getHeader(name);
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        return "Authorization".equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
      }

      @Override
      public Enumeration<String> getHeaderNames() {
        return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
            .filter(name -> !"Authorization".equalsIgnoreCase(name)).toList());
      }
    }, response);
  }
}
