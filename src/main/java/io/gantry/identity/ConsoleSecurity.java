package io.gantry.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The browser's way in: the console's pages, its sign-in and sign-out, and the identity provider's
 * return, in a chain of their own ahead of the API's. Sessions (a cookie, see application.properties),
 * CSRF tokens on every form, and headers that keep pages from running scripts or styles from elsewhere
 * or being framed. The API chain knows nothing of sessions: the console's cookie authenticates no API call.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSecurity {

  /** The paths of this chain; everything else is the API's. */
  static final String[] PATHS = {"/", "/sign-in", "/sign-out", "/console/**", "/webjars/**",
      "/oauth2/authorization/**", "/login/oauth2/code/**"};

  /**
   * No script, style, image, form target or frame from anywhere but Gantry itself, and no framing at all.
   * A form's redirect is checked against form-action too, by some browsers: every form posts to Gantry
   * and is redirected within it; the sign-in with the identity provider is a link, not a form.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

  @Bean
  ConsoleSessions consoleSessions(Users users, RoleBindings bindings, ApiTokens tokens, JdbcClient jdbc, Clock clock) {
    return new ConsoleSessions(users, bindings, tokens, jdbc, clock);
  }

  @Bean
  CsrfTokenRepository consoleCsrfTokens() {
    return new HttpSessionCsrfTokenRepository();
  }

  /**
   * Keeps the filter a member of the chain only: as a bean, Spring Boot would also put it in front of
   * every request of the server, the API's included.
   */
  @Bean
  org.springframework.boot.web.servlet.FilterRegistrationBean<ConsoleSessions> consoleSessionsOnlyInTheChain(
      ConsoleSessions sessions) {
    var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(sessions);
    registration.setEnabled(false);
    return registration;
  }

  @Bean
  @Order(1)
  SecurityFilterChain console(HttpSecurity http, ConsoleSessions sessions, CsrfTokenRepository csrf,
      SingleSignOn singleSignOn, Users users, TransactionTemplate tx) throws Exception {
    http
        .securityMatcher(PATHS)
        .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
        // the session filter signs the user in again from the session on every request: that is no new
        // authentication, so the session id and CSRF token stay (they change at sign-in only, else a page's
        // parallel requests each change them and all but one hold stale ones)
        // (sessions are made when needed, the default)
        .sessionManagement(s -> s.requireExplicitAuthenticationStrategy(true))
        .csrf(c -> c.csrfTokenRepository(csrf))
        .headers(h -> h
            .contentSecurityPolicy(p -> p.policyDirectives(CONTENT_SECURITY_POLICY))
            .referrerPolicy(r -> r.policy(ReferrerPolicy.NO_REFERRER))
            .frameOptions(f -> f.deny()))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .requestCache(r -> r.disable())
        .addFilterAfter(sessions, SecurityContextHolderFilter.class)
        .logout(l -> l.logoutUrl("/sign-out")
            .addLogoutHandler((request, response, authentication) -> sessions.end(request))
            .logoutSuccessUrl("/sign-in?signed-out"))
        .authorizeHttpRequests(a -> a
            .requestMatchers(HttpMethod.GET, "/console/*.css", "/console/*.js", "/webjars/**").permitAll()
            .requestMatchers("/sign-in", "/oauth2/authorization/**", "/login/oauth2/code/**").permitAll()
            .anyRequest().authenticated())
        .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/sign-in")));
    var settings = singleSignOn.settings().orElse(null);
    var client = singleSignOn.console().orElse(null);
    if (settings != null && client != null) {
      var registrations = new ConsoleClientRegistration(settings, client);
      var resolver = new DefaultOAuth2AuthorizationRequestResolver(registrations,
          OAuth2AuthorizationRequestRedirectFilter.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
      resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
      http.oauth2Login(o -> o
          .loginPage("/sign-in")
          .clientRegistrationRepository(registrations)
          .authorizedClientRepository(new NoAuthorizedClients())
          .securityContextRepository(new RequestAttributeSecurityContextRepository())
          .authorizationEndpoint(a -> a.authorizationRequestResolver(resolver))
          .userInfoEndpoint(u -> u.oidcUserService(new ConsoleUsers(users, tx, settings.usernameClaim(),
              settings.groupsClaim())))
          .successHandler((request, response, authentication) -> {
            // the session id was changed on authentication, and the CSRF token with it; the new token is
            // made now, not on first use by one of the next page's parallel requests
            csrf.saveToken(csrf.generateToken(request), request, response);
            sessions.begin(request, authentication.getName(), null);
            response.sendRedirect(request.getContextPath() + "/");
          })
          .failureHandler(ConsoleSecurity::refused)
          .withObjectPostProcessor(new ObjectPostProcessor<OAuth2AuthorizationRequestRedirectFilter>() {
            @Override
            public <O extends OAuth2AuthorizationRequestRedirectFilter> O postProcess(O filter) {
              filter.setAuthenticationFailureHandler(ConsoleSecurity::refused);
              return filter;
            }
          }));
    }
    return http.build();
  }

  /**
   * A sign-in with the identity provider that did not end with a Gantry user: the sign-in page says why
   * (the browser stays at the callback address; reloading it is refused again). A session that was
   * signed in stays as it was (a stale or forged callback does not sign anyone out); any other is ended.
   */
  static void refused(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
      throws IOException, jakarta.servlet.ServletException {
    HttpSession session = request.getSession(false);
    if (session != null && session.getAttribute(ConsoleSessions.USER) == null) {
      session.invalidate();
    }
    request.setAttribute(SignInController.REFUSAL, why(failure));
    request.getRequestDispatcher("/sign-in").forward(new jakarta.servlet.http.HttpServletRequestWrapper(request) {
      @Override
      public String getMethod() {
        return "GET";
      }
    }, response);
  }

  static String why(AuthenticationException failure) {
    if (failure instanceof OAuth2AuthenticationException oauth) {
      var error = oauth.getError();
      return switch (error.getErrorCode()) {
        case ConsoleUsers.REFUSED -> error.getDescription();
        case "authorization_request_not_found" -> "the identity provider's answer matches no sign-in started in "
            + "this browser (it was used already, or it belongs to another sign-in); sign in again";
        case "access_denied" -> "the identity provider did not sign you in"
            + (error.getDescription() == null ? "" : ": " + error.getDescription());
        default -> "signing in with the identity provider failed (" + error.getErrorCode()
            + (error.getDescription() == null ? "" : ": " + error.getDescription()) + ")";
      };
    }
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return "signing in with the identity provider failed: it could not be reached or answered unexpectedly ("
        + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage())
        + "); try again later, or sign in with an API token";
  }

  /**
   * The console keeps no access or refresh token of the provider's: it signs a person in and is done
   * with them (Spring Security would otherwise hold them in memory for every sign-in).
   */
  private static final class NoAuthorizedClients implements OAuth2AuthorizedClientRepository {

    @Override
    public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String registrationId, Authentication principal,
        HttpServletRequest request) {
      return null;
    }

    @Override
    public void saveAuthorizedClient(OAuth2AuthorizedClient client, Authentication principal,
        HttpServletRequest request, HttpServletResponse response) {}

    @Override
    public void removeAuthorizedClient(String registrationId, Authentication principal, HttpServletRequest request,
        HttpServletResponse response) {}
  }
}
