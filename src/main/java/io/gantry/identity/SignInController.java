package io.gantry.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The console's sign-in page: an API token pasted into a form, checked as the API checks a bearer
 * token, and, when the console has a client at the identity provider, a link that signs in there.
 */
@Controller
class SignInController {

  /** The request attribute of why a sign-in with the identity provider was refused. */
  static final String REFUSAL = SignInController.class.getName() + ".refusal";

  private final ApiTokens tokens;
  private final Users users;
  private final ConsoleSessions sessions;
  private final CsrfTokenRepository csrf;
  private final SingleSignOn singleSignOn;
  private final java.time.Clock clock;

  SignInController(ApiTokens tokens, Users users, ConsoleSessions sessions, CsrfTokenRepository csrf,
      SingleSignOn singleSignOn, java.time.Clock clock) {
    this.tokens = tokens;
    this.users = users;
    this.sessions = sessions;
    this.csrf = csrf;
    this.singleSignOn = singleSignOn;
    this.clock = clock;
  }

  @GetMapping("/sign-in")
  String page(HttpServletRequest request, HttpServletResponse response, CsrfToken token, Authentication signedIn,
      Model model) {
    if (request.getAttribute(REFUSAL) instanceof String refusal) {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      return page(model, token, refusal, null);
    }
    if (signedIn != null && signedIn.isAuthenticated() && request.getSession(false) != null
        && request.getSession(false).getAttribute(ConsoleSessions.USER) != null) {
      return "redirect:/";
    }
    return page(model, token, null, request.getParameter("signed-out") != null ? "You are signed out." : null);
  }

  @PostMapping("/sign-in")
  String signIn(@RequestParam(name = "token", required = false) String secret, HttpServletRequest request,
      HttpServletResponse response, CsrfToken token, Model model) {
    String given = secret == null ? "" : secret.strip();
    ApiToken found = given.isEmpty() ? null : tokens.findBySecret(given).orElse(null);
    User user = found == null ? null : users.find(found.user()).orElse(null);
    String refusal = given.isEmpty() ? "paste an API token (gty_...) to sign in"
        : TokenAuthenticationFilter.refusal(found, user, clock.instant());
    if (refusal == null && found.kind() == ApiToken.Kind.ENROLMENT) {
      refusal = "an enrolment code does not sign in: it only creates its user's first API token (gantry token "
          + "create --token CODE); sign in with that token";
    }
    if (refusal != null) {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      return page(model, token, refusal, null);
    }
    tokens.touch(found);
    // a new session id, and a new CSRF token, for the signed-in session (no fixation of either); the token
    // is made now, not on first use, else the page's parallel requests each make one and all but the last
    // saved are refused
    request.getSession();
    request.changeSessionId();
    csrf.saveToken(csrf.generateToken(request), request, response);
    sessions.begin(request, user.name(), found);
    return "redirect:/";
  }

  private String page(Model model, CsrfToken token, String refusal, String notice) {
    token.getToken(); // made now, while the session cookie can still be set
    model.addAttribute("csrf", token);
    model.addAttribute("provider", singleSignOn.console().isPresent()
        ? singleSignOn.settings().map(SingleSignOn.Console::providerName).orElse(null) : null);
    model.addAttribute("link", "/oauth2/authorization/" + ConsoleClientRegistration.ID);
    model.addAttribute("refusal", refusal);
    model.addAttribute("notice", notice);
    return "sign-in";
  }
}
