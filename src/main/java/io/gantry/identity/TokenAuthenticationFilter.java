package io.gantry.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** Authenticates {@code Authorization: Bearer gty_...}; says exactly why a token is refused. */
@Component
class TokenAuthenticationFilter extends OncePerRequestFilter {

  private final ApiTokens tokens;
  private final RoleBindings bindings;
  private final Clock clock;

  TokenAuthenticationFilter(ApiTokens tokens, RoleBindings bindings, Clock clock) {
    this.tokens = tokens;
    this.bindings = bindings;
    this.clock = clock;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (header == null || header.isBlank()) {
      chain.doFilter(request, response);
      return;
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(response, "the Authorization header must be: Bearer <token>");
      return;
    }
    String secret = header.substring(7).trim();
    var found = tokens.findBySecretWithUser(secret).orElse(null);
    ApiToken token = found == null ? null : found.token();
    User user = found == null ? null : found.user();
    String refusal = refusal(token, user, clock.instant());
    if (refusal != null) {
      refuse(response, refusal);
      return;
    }
    if (token.kind() == ApiToken.Kind.ENROLMENT && !isTokenCreation(request)) {
      refuse(response, "an enrolment code only creates its user's own first token (POST /api/v1/tokens; "
          + "gantry token create --token CODE); use that token from then on");
      return;
    }
    tokens.touch(token);
    // an enrolment code carries none of its user's roles: it can do nothing but create the user's token
    List<RoleBinding> bound = token.kind() == ApiToken.Kind.ENROLMENT ? List.of() : bindings.of(user.name());
    var authorities = token.kind() == ApiToken.Kind.ENROLMENT ? List.<SimpleGrantedAuthority>of()
        : authorities(user, bound);
    if (token.kind() != ApiToken.Kind.ENROLMENT) {
      RequestIdentity.remember(request, user, bound);
    }
    var authentication = UsernamePasswordAuthenticationToken.authenticated(user.name(), token.id(), authorities);
    SecurityContextHolder.getContext().setAuthentication(authentication);
    try {
      chain.doFilter(request, response);
    } finally {
      SecurityContextHolder.clearContext();
    }
  }

  /**
   * Why a token (null: none has the secret given) of {@code user} may not be used now, or null when it
   * may; an enrolment code passes here, and is only good for creating its user's first token.
   */
  static String refusal(ApiToken token, User user, Instant now) {
    if (token == null) {
      return "the API token is not known";
    }
    if (token.revokedAt() != null) {
      return (token.kind() == ApiToken.Kind.ENROLMENT ? "the enrolment code " + token.id()
          : "the API token \"" + token.name() + "\"") + " was revoked at " + token.revokedAt()
          + (token.revokedReason() == null ? "" : " (" + token.revokedReason() + ")");
    }
    if (token.expiredAt(now)) {
      return "the API token \"" + token.name() + "\" expired at " + token.expiresAt();
    }
    if (user == null || user.disabled()) {
      return "the user \"" + token.user() + "\" of this token is disabled";
    }
    return null;
  }

  /**
   * The user's own roles as {@code ROLE_...}, reaching every endpoint that checks a role; its roles
   * bound in a scope as {@code SCOPED_...}, reaching only the endpoints that check the scope of what is
   * done (a manager of one service does not apply configuration or manage users).
   */
  static List<SimpleGrantedAuthority> authorities(User user, List<RoleBinding> bound) {
    var all = new java.util.ArrayList<SimpleGrantedAuthority>();
    user.roles().forEach(r -> all.add(new SimpleGrantedAuthority(r.authority())));
    bound.stream().map(RoleBinding::role).distinct()
        .forEach(r -> all.add(new SimpleGrantedAuthority(SecurityConfiguration.scoped(r))));
    return all;
  }

  private static boolean isTokenCreation(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return "POST".equals(request.getMethod()) && path.equals("/api/v1/tokens");
  }

  private static void refuse(HttpServletResponse response, String detail) throws IOException {
    SecurityConfiguration.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated", detail);
  }
}
