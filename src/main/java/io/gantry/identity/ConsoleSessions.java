package io.gantry.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Clock;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The console's sessions. A session holds only the name of the user signed in (and, when signed in with
 * an API token, that token's id); on every request the user is read again and its authorities are
 * computed from its roles and bindings of the moment, so disabling the user, revoking its token or
 * withdrawing a role takes effect at once. A session whose user may no longer sign in is ended.
 * Spring Security keeps nothing in the session but the CSRF token and, during a sign-in with the
 * identity provider, the authorization request.
 */
final class ConsoleSessions extends OncePerRequestFilter {

  static final String USER = "gantry.console.user";
  static final String TOKEN = "gantry.console.token";

  private final Users users;
  private final RoleBindings bindings;
  private final ApiTokens tokens;
  private final JdbcClient jdbc;
  private final Clock clock;

  ConsoleSessions(Users users, RoleBindings bindings, ApiTokens tokens, JdbcClient jdbc, Clock clock) {
    this.users = users;
    this.bindings = bindings;
    this.tokens = tokens;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * Starts the session of {@code user} (the caller has already given the request a new session id) and
   * records the sign-in; {@code token} is the API token signed in with, null with the identity provider.
   */
  void begin(HttpServletRequest request, String user, ApiToken token) {
    HttpSession session = request.getSession();
    session.setAttribute(USER, user);
    if (token != null) {
      session.setAttribute(TOKEN, token.id());
    } else {
      session.removeAttribute(TOKEN);
    }
    IdentityHistory.record(jdbc, clock.instant(), new Actor(user, token == null ? null : token.id()),
        IdentityHistory.Action.SIGNED_IN, user, token == null ? null : token.id(), token == null
            ? "signed in to the console with the identity provider"
            : "signed in to the console with the API token \"" + token.name() + "\"");
  }

  /** Records the end of a session by sign-out; the session itself is invalidated by Spring Security. */
  void end(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session != null && session.getAttribute(USER) instanceof String user) {
      Long token = session.getAttribute(TOKEN) instanceof Long id ? id : null;
      IdentityHistory.record(jdbc, clock.instant(), new Actor(user, token), IdentityHistory.Action.SIGNED_OUT,
          user, token, "signed out of the console");
    }
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session = request.getSession(false);
    if (session != null && session.getAttribute(USER) instanceof String name) {
      Authentication signedIn = signedIn(name, session.getAttribute(TOKEN) instanceof Long id ? id : null);
      if (signedIn == null) {
        session.invalidate();
      } else {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(signedIn);
        SecurityContextHolder.setContext(context);
      }
    }
    chain.doFilter(request, response);
  }

  /** The user of a session with its authorities of the moment; null when it may no longer be signed in. */
  private Authentication signedIn(String name, Long tokenId) {
    User user = users.find(name).filter(u -> !u.disabled()).orElse(null);
    if (user == null) {
      return null;
    }
    if (tokenId != null) {
      ApiToken token = tokens.of(name).stream().filter(t -> t.id() == tokenId).findFirst().orElse(null);
      if (TokenAuthenticationFilter.refusal(token, user, clock.instant()) != null) {
        return null;
      }
    }
    return UsernamePasswordAuthenticationToken.authenticated(user.name(), tokenId,
        TokenAuthenticationFilter.authorities(user, bindings.of(user.name())));
  }
}
