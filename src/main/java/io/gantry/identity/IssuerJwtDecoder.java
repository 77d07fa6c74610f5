package io.gantry.identity;

import com.nimbusds.jose.proc.BadJOSEException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestTemplate;

/**
 * Accepts a JWT only when it is signed with a key the issuer publishes (its JWKS), carries exactly the
 * configured issuer, has not expired and is already valid (a minute's leeway for clocks), and its
 * audience contains the configured one. The issuer's metadata is read on the first token, not at
 * start-up, and read again on the next token for as long as it could not be. Every refusal is a
 * {@link SingleSignOn.Refusal} saying why; one that is unreachable says the provider could not be asked.
 */
final class IssuerJwtDecoder implements JwtDecoder {

  static final Duration LEEWAY = Duration.ofSeconds(60);
  /** How long a request for the issuer's metadata or keys may take, so that no API call hangs on the provider. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final SingleSignOn.Settings settings;
  private final Clock clock;
  private volatile JwtDecoder decoder;

  IssuerJwtDecoder(SingleSignOn.Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Jwt decode(String token) {
    JwtDecoder nimbus = decoder();
    try {
      return nimbus.decode(token);
    } catch (JwtValidationException invalid) {
      throw new SingleSignOn.Refusal(invalid.getErrors().stream().map(OAuth2Error::getDescription)
          .collect(Collectors.joining("; ")), false, invalid);
    } catch (BadJwtException bad) {
      throw new SingleSignOn.Refusal(reason(bad), false, bad);
    } catch (RuntimeException failed) {
      // the metadata or keys could not be fetched: the provider is down, or answered something else
      throw unreachable(failed);
    }
  }

  private JwtDecoder decoder() {
    JwtDecoder known = decoder;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (decoder == null) {
        try {
          SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
          requests.setConnectTimeout(CONNECT_TIMEOUT);
          requests.setReadTimeout(READ_TIMEOUT);
          NimbusJwtDecoder nimbus = NimbusJwtDecoder.withIssuerLocation(settings.issuer())
              .restOperations(new RestTemplate(requests)).build();
          nimbus.setJwtValidator(this::validate);
          decoder = nimbus;
        } catch (RuntimeException failed) {
          throw unreachable(failed);
        }
      }
      return decoder;
    }
  }

  private OAuth2TokenValidatorResult validate(Jwt jwt) {
    Instant now = clock.instant();
    String issuer = jwt.getClaimAsString("iss");
    List<String> audience = jwt.getAudience();
    if (!settings.issuer().equals(issuer)) {
      return invalid("the token was issued by " + (issuer == null ? "no one (it has no iss claim)" : issuer)
          + ", not by " + settings.issuer() + ", the identity provider this server trusts");
    }
    if (jwt.getExpiresAt() == null) {
      return invalid("the token has no expiry (exp claim); this server takes only tokens that expire");
    }
    if (now.isAfter(jwt.getExpiresAt().plus(LEEWAY))) {
      return invalid("the token expired at " + jwt.getExpiresAt());
    }
    if (jwt.getNotBefore() != null && now.isBefore(jwt.getNotBefore().minus(LEEWAY))) {
      return invalid("the token is not valid before " + jwt.getNotBefore());
    }
    if (audience == null || !audience.contains(settings.audience())) {
      return invalid("the token's audience " + (audience == null ? "(none)" : audience) + " does not contain "
          + settings.audience() + " (gantry.oidc.audience): it was issued for another application");
    }
    return OAuth2TokenValidatorResult.success();
  }

  private static OAuth2TokenValidatorResult invalid(String reason) {
    return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", reason, null));
  }

  private String reason(BadJwtException bad) {
    for (Throwable cause = bad.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof BadJOSEException jose) {
        return "the token's signature does not verify with the keys of the identity provider " + settings.issuer()
            + " (" + jose.getMessage() + ")";
      }
      if (cause instanceof ParseException) {
        return "the bearer token is neither a Gantry API token (gty_...) nor a JWT: " + cause.getMessage();
      }
    }
    return "the token was refused: " + bad.getMessage();
  }

  private SingleSignOn.Refusal unreachable(RuntimeException failed) {
    Throwable root = failed;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return new SingleSignOn.Refusal("the identity provider " + settings.issuer()
        + " could not be reached to check the token (" + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage()) + "); try again when it answers, "
        + "or use a Gantry API token (gty_...)", true, failed);
  }
}
