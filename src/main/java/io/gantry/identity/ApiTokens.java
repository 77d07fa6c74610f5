package io.gantry.identity;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * API tokens. The secret ({@code gty_} and 40 random characters) is returned once by {@link
 * #issue}; only its SHA-256 hash is stored.
 */
@Repository
public class ApiTokens {

  public static final int DEFAULT_DAYS = 90;
  public static final int MAX_DAYS = 730;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final JdbcClient jdbc;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public ApiTokens(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** A token just issued: its stored record and its secret, which is never available again. */
  public record Issued(ApiToken token, String secret) {}

  public Issued issue(User user, String name, int days) {
    if (days < 1 || days > MAX_DAYS) {
      throw InvalidInputException.of("expiresInDays", "a token lives from 1 to " + MAX_DAYS + " days, not " + days);
    }
    if (name == null || name.isBlank() || name.length() > 100) {
      throw InvalidInputException.of("name", "a token needs a name of 1 to 100 characters");
    }
    StringBuilder secret = new StringBuilder("gty_");
    for (int i = 0; i < 40; i++) {
      secret.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    Instant now = clock.instant();
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into api_tokens (user_id, name, token_prefix, token_hash, created_at, expires_at)
        values (:user, :name, :prefix, :hash, :now, :expires)
        """).param("user", user.id()).param("name", name).param("prefix", secret.substring(0, 10))
        .param("hash", hash(secret.toString())).param("now", Timestamp.from(now))
        .param("expires", Timestamp.from(now.plus(Duration.ofDays(days)))).update(keys, "id");
    return new Issued(get(keys.getKeyAs(Number.class).longValue()), secret.toString());
  }

  /** The token a secret stands for, whatever its state; the caller decides what expired or revoked means. */
  public Optional<ApiToken> findBySecret(String secret) {
    return jdbc.sql(SELECT + " where t.token_hash = :hash").param("hash", hash(secret)).query(ApiTokens::map)
        .optional();
  }

  public ApiToken get(long id) {
    return jdbc.sql(SELECT + " where t.id = :id").param("id", id).query(ApiTokens::map).optional()
        .orElseThrow(() -> new NotFoundException("token", String.valueOf(id)));
  }

  public List<ApiToken> of(String user) {
    return jdbc.sql(SELECT + " where u.name = :user order by t.created_at desc, t.id desc").param("user", user)
        .query(ApiTokens::map).list();
  }

  public ApiToken revoke(long id, String by) {
    ApiToken token = get(id);
    if (token.revokedAt() != null) {
      throw new ConflictException("token " + id + " was already revoked at " + token.revokedAt());
    }
    jdbc.sql("update api_tokens set revoked_at = :now, revoked_by = :by where id = :id and revoked_at is null")
        .param("now", Timestamp.from(clock.instant())).param("by", by).param("id", id).update();
    return get(id);
  }

  /** Records use, at most once a minute per token, so reading the API does not write on every call. */
  public void touch(ApiToken token) {
    Instant now = clock.instant();
    if (token.lastUsedAt() == null || token.lastUsedAt().plus(TOUCH_EVERY).isBefore(now)) {
      jdbc.sql("update api_tokens set last_used_at = :now where id = :id").param("now", Timestamp.from(now))
          .param("id", token.id()).update();
    }
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String SELECT = "select t.*, u.name as user_name from api_tokens t join users u on u.id = t.user_id";

  static ApiToken map(ResultSet rs, int row) throws SQLException {
    return new ApiToken(rs.getLong("id"), rs.getString("user_name"), rs.getString("name"),
        rs.getString("token_prefix"), instant(rs, "created_at"), instant(rs, "expires_at"),
        instant(rs, "revoked_at"), rs.getString("revoked_by"), instant(rs, "last_used_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
