package io.gantry.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real OpenID Connect provider for tests: Spring Authorization Server in an application of its own on
 * a random loopback port, publishing its metadata and keys, and issuing signed JWT access tokens through
 * its token endpoint that name a user in {@code preferred_username} and carry an audience: for a client
 * (client credentials), or for a person who logs in through its login form (authorization code with
 * PKCE). Each token comes from a client registered for it, whose settings say what the token carries.
 */
public final class OidcProvider implements AutoCloseable {

  public static final String AUDIENCE = "gantry-api";
  private static final String SECRET = "provider-test-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a token is to carry: the user it names, its audience and issuer (null: the provider's), expired or not. */
  public record Grant(String username, String audience, String issuer, boolean expired, List<String> groups) {

    public static Grant of(String username) {
      return new Grant(username, AUDIENCE, null, false, null);
    }

    public Grant forAudience(String other) {
      return new Grant(username, other, issuer, expired, groups);
    }

    public Grant claimingIssuer(String other) {
      return new Grant(username, audience, other, expired, groups);
    }

    public Grant expiredAnHourAgo() {
      return new Grant(username, audience, issuer, true, groups);
    }

    /** With a {@code groups} claim naming these groups. */
    public Grant inGroups(String... names) {
      return new Grant(username, audience, issuer, expired, List.of(names));
    }
  }

  private final ConfigurableApplicationContext context;
  private final AtomicInteger clients = new AtomicInteger();

  private OidcProvider(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /** The provider on a random loopback port. */
  public static OidcProvider start() {
    return start(0);
  }

  /** The provider on the loopback port given. */
  public static OidcProvider start(int port) {
    return new OidcProvider(new SpringApplicationBuilder(Application.class).properties(
        // none of Gantry's own settings (application.properties): this is another application
        "spring.config.name=oidc-provider", "server.port=" + port, "server.address=127.0.0.1",
        "spring.main.banner-mode=off", "spring.flyway.enabled=false",
        "spring.datasource.url=jdbc:h2:mem:oidc-provider-" + UUID.randomUUID(),
        // jte's auto-configuration, on the classpath for Gantry's console, needs a mode; the provider renders none
        "gg.jte.use-precompiled-templates=true")
        .run());
  }

  /** The issuer, as its tokens carry it in {@code iss}. */
  public String issuer() {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  /** An access token for the grant, from the provider's token endpoint over HTTP. */
  public String token(Grant grant) throws Exception {
    String id = "client-" + clients.incrementAndGet();
    ClientSettings.Builder settings = ClientSettings.builder().setting("username", grant.username())
        .setting("audience", grant.audience()).setting("expired", grant.expired());
    if (grant.groups() != null) {
      settings.setting("groups", grant.groups());
    }
    if (grant.issuer() != null) {
      settings.setting("issuer", grant.issuer());
    }
    context.getBean(InMemoryRegisteredClientRepository.class).save(RegisteredClient.withId(id).clientId(id)
        .clientSecret("{noop}" + SECRET).clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).scope("gantry")
        .clientSettings(settings.build()).build());
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(issuer() + "/oauth2/token"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((id + ":" + SECRET)
            .getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=gantry")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the token endpoint answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body()).path("access_token").asString();
  }

  /**
   * A person who can log in through the provider's login form; the ID tokens it gets name it in
   * {@code preferred_username} and, when groups are given, list them in {@code groups}.
   */
  public void person(String username, String password, String... groups) {
    context.getBean(InMemoryUserDetailsManager.class).createUser(User.withUsername(username)
        .password("{noop}" + password).roles("USER").build());
    if (groups.length > 0) {
      context.getBean(Application.People.class).groups().put(username, List.of(groups));
    }
  }

  /**
   * Registers (or registers again) a web application's client signing people in with authorization code
   * and PKCE (scopes openid and profile): a public client when {@code secret} is null.
   */
  public void webClient(String clientId, String secret, String redirectUri) {
    RegisteredClient.Builder client = RegisteredClient.withId(clientId).clientId(clientId)
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE).redirectUri(redirectUri)
        .scope("openid").scope("profile")
        .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false)
            .setting("audience", AUDIENCE).build());
    if (secret == null) {
      client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
    } else {
      client.clientSecret("{noop}" + secret).clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
    }
    context.getBean(InMemoryRegisteredClientRepository.class).save(client.build());
  }

  /**
   * An access token for a person, got the way a browser and a public client (a CLI or a single-page
   * console) get one: authorization code with PKCE, the person logging in through the login form.
   */
  public String tokenThroughLogin(String username, String password) throws Exception {
    String id = "public-" + clients.incrementAndGet();
    String redirect = "http://127.0.0.1:9/callback";
    context.getBean(InMemoryRegisteredClientRepository.class).save(RegisteredClient.withId(id).clientId(id)
        .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE).redirectUri(redirect).scope("openid")
        .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false)
            .setting("audience", AUDIENCE).build()).build());
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();

    HttpResponse<String> toLogin = browse(browser, issuer() + "/oauth2/authorize?response_type=code&client_id=" + id
        + "&scope=openid&state=s1&redirect_uri=" + form(redirect) + "&code_challenge=" + challenge
        + "&code_challenge_method=S256", null);
    HttpResponse<String> loginPage = browse(browser, location(toLogin), null);
    Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(loginPage.body());
    if (!csrf.find()) {
      throw new IllegalStateException("no login form: " + loginPage.statusCode() + " " + loginPage.body());
    }
    HttpResponse<String> loggedIn = browse(browser, issuer() + "/login", "username=" + form(username) + "&password="
        + form(password) + "&_csrf=" + form(csrf.group(1)));
    HttpResponse<String> authorized = browse(browser, location(loggedIn), null);
    String callback = location(authorized);
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(callback);
    if (!callback.startsWith(redirect) || !callback.contains("state=s1") || !code.find()) {
      throw new IllegalStateException("no authorization code: " + authorized.statusCode() + " " + callback);
    }
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(issuer() + "/oauth2/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id=" + id + "&code="
            + code.group(1) + "&redirect_uri=" + form(redirect) + "&code_verifier=" + verifier)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the token endpoint answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body()).path("access_token").asString();
  }

  private static HttpResponse<String> browse(HttpClient browser, String url, String form) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html");
    if (form != null) {
      request.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    }
    return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String location(HttpResponse<String> response) {
    String location = response.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException(
        "no redirect from " + response.uri() + ": " + response.statusCode() + " " + response.body()));
    return location.startsWith("/") ? issuer() + location : location;
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** A token that claims everything a good one does for this issuer, signed with a key the provider never published. */
  public String signedWithAnotherKey(String username) throws JOSEException {
    RSAKey other = new RSAKeyGenerator(2048).keyID(Application.KEY_ID).generate();
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(other.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(issuer()).subject(username).claim("preferred_username", username)
            .audience(AUDIENCE).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(5, ChronoUnit.MINUTES))).build());
    jwt.sign(new RSASSASigner(other));
    return jwt.serialize();
  }

  @Override
  public void close() {
    context.close();
  }

  /** The provider's application; a test configuration, so Gantry's component scan leaves it out. */
  @TestConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Application {

    static final String KEY_ID = "provider-key";

    @Bean
    SecurityFilterChain provider(HttpSecurity http) throws Exception {
      return http.oauth2AuthorizationServer(server -> server.oidc(oidc -> {}))
          .authorizeHttpRequests(a -> a.anyRequest().authenticated())
          .formLogin(login -> {})
          .build();
    }

    @Bean
    InMemoryUserDetailsManager people() {
      return new InMemoryUserDetailsManager();
    }

    /** The groups of the people who log in, by username. */
    record People(java.util.Map<String, List<String>> groups) {}

    @Bean
    People groups() {
      return new People(new java.util.concurrent.ConcurrentHashMap<>());
    }

    @Bean
    InMemoryRegisteredClientRepository clients() {
      // the repository needs one client to start with; it issues no token the tests use
      return new InMemoryRegisteredClientRepository(RegisteredClient.withId("none").clientId("none")
          .clientSecret("{noop}" + UUID.randomUUID()).authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
          .build());
    }

    @Bean
    JWKSource<SecurityContext> keys() throws JOSEException {
      return new ImmutableJWKSet<>(new JWKSet(new RSAKeyGenerator(2048).keyID(KEY_ID).generate()));
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
      return AuthorizationServerSettings.builder().build();
    }

    /** The client's settings say what its access tokens carry. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> claims(People people) {
      return context -> {
        if ("id_token".equals(context.getTokenType().getValue())) {
          // a person's ID token names the person, and its groups (also what the userinfo endpoint answers)
          String person = context.getPrincipal().getName();
          context.getClaims().claim("preferred_username", person);
          if (people.groups().containsKey(person)) {
            context.getClaims().claim("groups", people.groups().get(person));
          }
          return;
        }
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
          return;
        }
        ClientSettings settings = context.getRegisteredClient().getClientSettings();
        // a client's token names the user its settings give; a person's, the person who logged in
        String username = settings.getSetting("username") != null ? settings.getSetting("username")
            : context.getPrincipal().getName();
        context.getClaims().claim("preferred_username", username)
            .audience(List.of((String) settings.getSetting("audience")));
        if (settings.getSetting("issuer") != null) {
          context.getClaims().issuer((String) settings.getSetting("issuer"));
        }
        if (settings.getSetting("groups") != null) {
          context.getClaims().claim("groups", settings.<List<String>>getSetting("groups"));
        }
        if (Boolean.TRUE.equals(settings.getSetting("expired"))) {
          Instant past = Instant.now().minus(1, ChronoUnit.HOURS);
          context.getClaims().issuedAt(past.minus(5, ChronoUnit.MINUTES)).notBefore(past.minus(5, ChronoUnit.MINUTES))
              .expiresAt(past);
        }
      };
    }
  }
}
