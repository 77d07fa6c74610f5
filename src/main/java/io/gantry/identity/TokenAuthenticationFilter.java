package io.gantry.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
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
  private final Users users;
  private final Clock clock;

  TokenAuthenticationFilter(ApiTokens tokens, Users users, Clock clock) {
    this.tokens = tokens;
    this.users = users;
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
    var token = tokens.findBySecret(secret).orElse(null);
    Instant now = clock.instant();
    if (token == null) {
      refuse(response, "the API token is not known");
      return;
    }
    if (token.revokedAt() != null) {
      refuse(response, "the API token \"" + token.name() + "\" was revoked at " + token.revokedAt());
      return;
    }
    if (token.expiredAt(now)) {
      refuse(response, "the API token \"" + token.name() + "\" expired at " + token.expiresAt());
      return;
    }
    User user = users.find(token.user()).orElse(null);
    if (user == null || user.disabled()) {
      refuse(response, "the user \"" + token.user() + "\" of this token is disabled");
      return;
    }
    tokens.touch(token);
    var authorities = user.roles().stream().map(r -> new SimpleGrantedAuthority(r.authority())).toList();
    var authentication = UsernamePasswordAuthenticationToken.authenticated(user.name(), token.id(), authorities);
    SecurityContextHolder.getContext().setAuthentication(authentication);
    try {
      chain.doFilter(request, response);
    } finally {
      SecurityContextHolder.clearContext();
    }
  }

  private static void refuse(HttpServletResponse response, String detail) throws IOException {
    SecurityConfiguration.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated", detail);
  }
}
