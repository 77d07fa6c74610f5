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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
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
 * its token endpoint (client credentials) that name a user in {@code preferred_username} and carry an
 * audience. Each token comes from a client registered for it, whose settings say what the token carries.
 */
public final class OidcProvider implements AutoCloseable {

  public static final String AUDIENCE = "gantry-api";
  private static final String SECRET = "provider-test-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a token is to carry: the user it names, its audience and issuer (null: the provider's), expired or not. */
  public record Grant(String username, String audience, String issuer, boolean expired) {

    public static Grant of(String username) {
      return new Grant(username, AUDIENCE, null, false);
    }

    public Grant forAudience(String other) {
      return new Grant(username, other, issuer, expired);
    }

    public Grant claimingIssuer(String other) {
      return new Grant(username, audience, other, expired);
    }

    public Grant expiredAnHourAgo() {
      return new Grant(username, audience, issuer, true);
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
        "spring.datasource.url=jdbc:h2:mem:oidc-provider-" + UUID.randomUUID())
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
          .build();
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
    OAuth2TokenCustomizer<JwtEncodingContext> claims() {
      return context -> {
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
          return;
        }
        ClientSettings settings = context.getRegisteredClient().getClientSettings();
        context.getClaims().claim("preferred_username", (String) settings.getSetting("username"))
            .audience(List.of((String) settings.getSetting("audience")));
        if (settings.getSetting("issuer") != null) {
          context.getClaims().issuer((String) settings.getSetting("issuer"));
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
