package io.gantry.identity;

import io.gantry.shared.StartupProblem;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.stereotype.Component;

/**
 * Single sign-on for the API, on when {@code gantry.oidc.issuer-uri} is set: a bearer token that is not
 * Gantry's own ({@code gty_}, or an enrolment code's {@code gte_}) is taken as a JWT access token from
 * that issuer and acts as the existing, enabled Gantry user its username claim names, with that user's
 * roles. When off, such a token is refused saying so. Settings that contradict each other, or that
 * would be ignored, keep the server from starting.
 */
@Component
final class SingleSignOn {

  private static final Logger log = LoggerFactory.getLogger(SingleSignOn.class);
  private static final Set<String> KNOWN = Set.of("gantryoidcissueruri", "gantryoidcaudience",
      "gantryoidcusernameclaim", "gantryoidcgroupsclaim", "gantryoidcconsoleclientid",
      "gantryoidcconsoleclientsecret", "gantryoidcconsolescopes");

  /**
   * The settings of single sign-on, all checked; {@code groupsClaim} null when the provider's groups
   * are not taken.
   */
  record Settings(String issuer, String audience, String usernameClaim, String groupsClaim) {

    static final String DEFAULT_USERNAME_CLAIM = "preferred_username";

    /** The settings when the issuer is given; empty when none of them is; a start-up problem otherwise. */
    static Optional<Settings> of(Environment environment) {
      refuseUnknown(environment);
      String issuer = environment.getProperty("gantry.oidc.issuer-uri");
      String audience = environment.getProperty("gantry.oidc.audience");
      String claim = environment.getProperty("gantry.oidc.username-claim");
      String groups = environment.getProperty("gantry.oidc.groups-claim");
      if (issuer == null && Console.anySet(environment)) {
        throw new StartupProblem(Console.firstSet(environment) + " is set but gantry.oidc.issuer-uri is not: the "
            + "console signs in with the identity provider that issuer names; set it, or remove the console client");
      }
      if (issuer == null) {
        if (audience != null || claim != null || groups != null) {
          throw new StartupProblem("gantry.oidc." + (audience != null ? "audience" : claim != null ? "username-claim"
              : "groups-claim")
              + " is set but gantry.oidc.issuer-uri is not: set the issuer to turn single sign-on on, or remove it");
        }
        return Optional.empty();
      }
      issuer = issuer.strip();
      if (issuer.isEmpty()) {
        throw new StartupProblem("gantry.oidc.issuer-uri is empty: give the identity provider's issuer URL, "
            + "or remove the setting to keep single sign-on off");
      }
      URI uri;
      try {
        uri = URI.create(issuer);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null || uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
        throw new StartupProblem("gantry.oidc.issuer-uri \"" + issuer + "\" is not an http(s) URL; give the identity "
            + "provider's issuer exactly as its tokens carry it in iss, e.g. https://login.example.com/realms/ops");
      }
      if (audience == null || audience.isBlank()) {
        throw new StartupProblem("gantry.oidc.issuer-uri is set but gantry.oidc.audience is " + (audience == null
            ? "not" : "empty") + ": give the audience the identity provider puts in the aud claim of Gantry's tokens");
      }
      if (claim != null && claim.isBlank()) {
        throw new StartupProblem("gantry.oidc.username-claim is empty: give the claim that carries the Gantry user "
            + "name, or remove the setting for " + DEFAULT_USERNAME_CLAIM);
      }
      if (groups != null && groups.isBlank()) {
        throw new StartupProblem("gantry.oidc.groups-claim is empty: give the claim that lists a user's groups, or "
            + "remove the setting to keep groups in Gantry's hands");
      }
      return Optional.of(new Settings(issuer, audience.strip(), claim == null ? DEFAULT_USERNAME_CLAIM : claim.strip(),
          groups == null ? null : groups.strip()));
    }
  }

  /**
   * The console's client at the identity provider, for people signing in with a browser (authorization
   * code with PKCE): its id, its secret (null for a public client, which PKCE alone protects), and the
   * scopes it asks for, {@code openid} among them.
   */
  record Console(String clientId, String clientSecret, java.util.List<String> scopes) {

    static final java.util.List<String> DEFAULT_SCOPES = java.util.List.of("openid", "profile");
    private static final java.util.regex.Pattern SCOPE = java.util.regex.Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    /** The console client when its id is given (single sign-on being on); empty when none of its settings is. */
    static Optional<Console> of(Environment environment) {
      String id = environment.getProperty("gantry.oidc.console.client-id");
      String secret = environment.getProperty("gantry.oidc.console.client-secret");
      String scopes = environment.getProperty("gantry.oidc.console.scopes");
      if (id == null) {
        if (anySet(environment)) {
          throw new StartupProblem(firstSet(environment) + " is set but gantry.oidc.console.client-id is not: give "
              + "the console's client id at the identity provider, or remove the setting");
        }
        return Optional.empty();
      }
      if (id.isBlank()) {
        throw new StartupProblem("gantry.oidc.console.client-id is empty: give the console's client id at the "
            + "identity provider, or remove the setting to keep sign-in with the provider off");
      }
      if (secret != null && secret.isBlank()) {
        throw new StartupProblem("gantry.oidc.console.client-secret is empty: give the client's secret, or remove "
            + "the setting for a public client (PKCE alone)");
      }
      java.util.List<String> asked = DEFAULT_SCOPES;
      if (scopes != null) {
        asked = java.util.Arrays.stream(scopes.split("[,\\s]+")).filter(x -> !x.isEmpty()).distinct().toList();
        if (!asked.contains("openid")) {
          throw new StartupProblem("gantry.oidc.console.scopes \"" + scopes + "\" does not contain openid: sign-in "
              + "with the identity provider is OpenID Connect, which needs it");
        }
        asked.stream().filter(x -> !SCOPE.matcher(x).matches()).findFirst().ifPresent(x -> {
          throw new StartupProblem("gantry.oidc.console.scopes: \"" + x + "\" is not a scope name");
        });
      }
      return Optional.of(new Console(id.strip(), secret == null ? null : secret.strip(), asked));
    }

    static boolean anySet(Environment environment) {
      return firstSet(environment) != null;
    }

    static String firstSet(Environment environment) {
      for (String key : java.util.List.of("gantry.oidc.console.client-id", "gantry.oidc.console.client-secret",
          "gantry.oidc.console.scopes")) {
        if (environment.getProperty(key) != null) {
          return key;
        }
      }
      return null;
    }

    /** The provider's name for people to read on the sign-in page: the issuer's host. */
    static String providerName(Settings settings) {
      return URI.create(settings.issuer()).getHost();
    }
  }

  /** A setting under gantry.oidc that is none of the known ones would be ignored: a typo, most likely. */
  private static void refuseUnknown(Environment environment) {
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return;
    }
    for (PropertySource<?> source : configurable.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> names) {
        for (String name : names.getPropertyNames()) {
          // gantry.oidc.issuer-uri, gantry.oidc.issuerUri and GANTRY_OIDC_ISSUER_URI alike
          String flat = name.toLowerCase(Locale.ROOT).replaceAll("[._-]", "");
          if (flat.startsWith("gantryoidc") && !KNOWN.contains(flat)) {
            throw new StartupProblem("unknown setting " + name + " (from " + source.getName() + "): single sign-on "
                + "takes gantry.oidc.issuer-uri, gantry.oidc.audience, gantry.oidc.username-claim, "
                + "gantry.oidc.groups-claim, gantry.oidc.console.client-id, gantry.oidc.console.client-secret and "
                + "gantry.oidc.console.scopes");
          }
        }
      }
    }
  }

  /**
   * A token refused, saying why in words for the problem document; {@code unreachable} when the
   * identity provider could not be asked, so the token was neither accepted nor found wrong.
   */
  static final class Refusal extends BadJwtException {

    final boolean unreachable;

    Refusal(String reason, boolean unreachable, Throwable cause) {
      super(reason, cause);
      this.unreachable = unreachable;
    }
  }

  private final Settings settings;
  private final Console console;
  private final Users users;
  private final RoleBindings bindings;
  private final org.springframework.transaction.support.TransactionTemplate tx;
  private final Clock clock;

  SingleSignOn(Environment environment, Users users, RoleBindings bindings,
      org.springframework.transaction.support.TransactionTemplate tx, Clock clock) {
    this.settings = Settings.of(environment).orElse(null);
    this.console = settings == null ? null : Console.of(environment).orElse(null);
    this.users = users;
    this.bindings = bindings;
    this.tx = tx;
    this.clock = clock;
    if (settings != null) {
      log.info("Single sign-on: JWT access tokens from {} for audience {}, user named by claim {}, groups {}",
          settings.issuer(), settings.audience(), settings.usernameClaim(),
          settings.groupsClaim() == null ? "kept in Gantry" : "from claim " + settings.groupsClaim());
    }
    if (console != null) {
      log.info("Console sign-in with the identity provider: client {} ({}), scopes {}", console.clientId(),
          console.clientSecret() == null ? "public, PKCE" : "confidential, PKCE", String.join(" ", console.scopes()));
    }
  }

  /** The settings of single sign-on; empty when it is off. */
  Optional<Settings> settings() {
    return Optional.ofNullable(settings);
  }

  /** The console's client at the identity provider; empty when people cannot sign in there with a browser. */
  Optional<Console> console() {
    return Optional.ofNullable(console);
  }

  /**
   * Adds to the chain, after {@link TokenAuthenticationFilter} has been added: the refusal of other
   * tokens when single sign-on is off, and else the resource server that checks them.
   */
  void configure(HttpSecurity http) throws Exception {
    http.addFilterBefore(new OtherBearerTokens(settings != null), TokenAuthenticationFilter.class);
    if (settings == null) {
      return;
    }
    http.oauth2ResourceServer(server -> server
        .bearerTokenResolver(OtherBearerTokens::token)
        .jwt(jwt -> jwt.decoder(new IssuerJwtDecoder(settings, clock))
            .jwtAuthenticationConverter(new JwtUsers(users, bindings, tx, settings.usernameClaim(),
                settings.groupsClaim())))
        .authenticationEntryPoint((request, response, refused) -> refuse(response, refused))
        // what Spring Security publishes at /.well-known/oauth-protected-resource (RFC 9728) names the provider
        .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(resource -> resource
            .authorizationServer(settings.issuer()).resourceName("Gantry"))));
  }

  private static void refuse(HttpServletResponse response, AuthenticationException refused) throws IOException {
    for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refusal refusal) {
        if (refusal.unreachable) {
          SecurityConfiguration.write(response, HttpStatus.SERVICE_UNAVAILABLE, "identity-provider-unavailable",
              "Identity provider unavailable", refusal.getMessage());
        } else {
          SecurityConfiguration.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
              refusal.getMessage());
        }
        return;
      }
    }
    SecurityConfiguration.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
        "the bearer token was refused: " + refused.getMessage());
  }
}
