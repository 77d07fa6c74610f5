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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Repository;

/**
 * API tokens and enrolment codes. The secret ({@code gty_}, or {@code gte_} for an enrolment code,
 * and 40 random characters) is returned once; only its SHA-256 hash is stored.
 *
 * <p>A token is issued only to its own user: made with one of the user's tokens, or with the
 * single-use enrolment code a deployment manager gave the user. A token lives at most {@code
 * gantry.tokens.max-days} and never beyond the token that made it; revoking a token revokes every
 * token made with it, and every token made with those. Each issue and revocation is recorded in the
 * identity history. Run the changing methods in a transaction.
 */
@Repository
public class ApiTokens {

  public static final int DEFAULT_DAYS = 90;
  /** The longest {@code gantry.tokens.max-days} may be. */
  public static final int MAX_DAYS_LIMIT = 3650;
  /** How long an enrolment code may be used, at most. */
  public static final int ENROLMENT_DAYS = 7;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final JdbcClient jdbc;
  private final Clock clock;
  private final int maxDays;
  private final SecureRandom random = new SecureRandom();

  public ApiTokens(JdbcClient jdbc, Clock clock, @Value("${gantry.tokens.max-days:365}") int maxDays) {
    if (maxDays < 1 || maxDays > MAX_DAYS_LIMIT) {
      throw new IllegalArgumentException("gantry.tokens.max-days must be from 1 to " + MAX_DAYS_LIMIT
          + " days, not " + maxDays);
    }
    this.jdbc = jdbc;
    this.clock = clock;
    this.maxDays = maxDays;
  }

  /** A token just issued: its stored record and its secret, which is never available again. */
  public record Issued(ApiToken token, String secret) {}

  public int maxDays() {
    return maxDays;
  }

  /**
   * Issues a token to {@code user}, made with the actor's token (none only for Gantry's own first
   * administrator). {@code days} null means the default of {@value #DEFAULT_DAYS} days, shortened to
   * the configured maximum and to the issuing token's expiry; days given that go beyond either are
   * refused.
   */
  public Issued issue(User user, String name, Integer days, Actor actor) {
    checkName(name);
    ApiToken issuer = null;
    if (actor.token() != null) {
      issuer = lockActive(actor.token());
      if (issuer.kind() != ApiToken.Kind.API) {
        throw new AccessDeniedException("an enrolment code only creates its own user's first token");
      }
      if (!issuer.user().equals(user.name())) {
        throw new AccessDeniedException("a token is issued only to its own user: a token of \"" + issuer.user()
            + "\" cannot make one for \"" + user.name() + "\"");
      }
    }
    Instant now = clock.instant();
    Instant expires = expiry(now, days, issuer);
    Issued issued = insert(user, name, ApiToken.Kind.API, now, expires, actor.name(),
        issuer == null ? null : issuer.id());
    IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.TOKEN_ISSUED, user.name(), issued.token().id(),
        "token " + issued.token().id() + " \"" + name + "\" expiring " + expires
            + (issuer == null ? "" : ", made with token " + issuer.id()));
    return issued;
  }

  /**
   * Issues a single-use enrolment code with which {@code user} creates its own first token; any code
   * of the user not used yet is revoked. It can be used for {@value #ENROLMENT_DAYS} days, and not
   * beyond the token that made it. Refused while the user holds a live API token: else whoever
   * enrols could act as a user that is using Gantry, unnoticed.
   */
  public Issued enrol(User user, Actor actor) {
    ApiToken issuer = actor.token() == null ? null : lockActive(actor.token());
    Instant now = clock.instant();
    List<Long> live = of(user.name()).stream().filter(t -> t.kind() == ApiToken.Kind.API && t.activeAt(now))
        .map(ApiToken::id).toList();
    if (!live.isEmpty()) {
      throw new ConflictException("\"" + user.name() + "\" holds live API tokens " + live + ": an enrolment code "
          + "is only for a user without one; it makes its next token itself (or revoke those tokens first)");
    }
    for (ApiToken pending : of(user.name())) {
      if (pending.kind() == ApiToken.Kind.ENROLMENT && pending.activeAt(now)) {
        revokeOne(pending, now, actor, "replaced by a new enrolment code");
      }
    }
    Instant expires = now.plus(Duration.ofDays(ENROLMENT_DAYS));
    if (issuer != null && issuer.expiresAt().isBefore(expires)) {
      expires = issuer.expiresAt();
    }
    Issued issued = insert(user, "enrolment", ApiToken.Kind.ENROLMENT, now, expires, actor.name(),
        issuer == null ? null : issuer.id());
    IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.ENROLMENT_ISSUED, user.name(),
        issued.token().id(), "enrolment code " + issued.token().id() + " usable once until " + expires);
    return issued;
  }

  /**
   * The user of an enrolment code creates its own token with it; the code is used up (of two servers
   * taking it at once, one wins). The token has no issuing token: the code's maker keeps no hold on it.
   */
  public Issued claim(ApiToken code, String name, Integer days) {
    checkName(name);
    if (code.kind() != ApiToken.Kind.ENROLMENT) {
      throw new IllegalArgumentException("token " + code.id() + " is not an enrolment code");
    }
    Instant now = clock.instant();
    int rows = jdbc.sql("""
        update api_tokens set revoked_at = :now, revoked_by = :user, revoked_reason = 'used'
         where id = :id and revoked_at is null and expires_at > :now
        """).param("now", Timestamp.from(now)).param("user", code.user()).param("id", code.id()).update();
    if (rows == 0) {
      throw new ConflictException("enrolment code " + code.id() + " was already used, revoked or has expired");
    }
    User user = jdbc.sql("select * from users where name = :name").param("name", code.user()).query(Users::map)
        .single();
    Instant expires = expiry(now, days, null);
    Actor actor = new Actor(user.name(), code.id());
    Issued issued = insert(user, name, ApiToken.Kind.API, now, expires, user.name(), null);
    IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.TOKEN_ISSUED, user.name(), issued.token().id(),
        "token " + issued.token().id() + " \"" + name + "\" expiring " + expires + ", made with enrolment code "
            + code.id() + " (now used)");
    return issued;
  }

  private Instant expiry(Instant now, Integer days, ApiToken issuer) {
    Instant expires;
    if (days == null) {
      expires = now.plus(Duration.ofDays(Math.min(DEFAULT_DAYS, maxDays)));
      if (issuer != null && issuer.expiresAt().isBefore(expires)) {
        expires = issuer.expiresAt();
      }
      return expires;
    }
    if (days < 1 || days > maxDays) {
      throw InvalidInputException.of("expiresInDays", "a token lives from 1 to " + maxDays
          + " days (gantry.tokens.max-days), not " + days);
    }
    expires = now.plus(Duration.ofDays(days));
    if (issuer != null && issuer.expiresAt().isBefore(expires)) {
      throw InvalidInputException.of("expiresInDays", "a token cannot outlive the token that makes it: token "
          + issuer.id() + " expires at " + issuer.expiresAt() + ", before " + days + " days from now");
    }
    return expires;
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw InvalidInputException.of("name", "a token needs a name of 1 to 100 characters");
    }
  }

  /** Locks the issuing token so that it cannot be revoked while a token is made with it. */
  private ApiToken lockActive(long id) {
    List<Long> locked = jdbc.sql("select id from api_tokens where id = :id and revoked_at is null for update")
        .param("id", id).query(Long.class).list();
    ApiToken token = get(id);
    if (locked.isEmpty() || !token.activeAt(clock.instant())) {
      throw new AccessDeniedException("token " + id + " was revoked or has expired");
    }
    return token;
  }

  private Issued insert(User user, String name, ApiToken.Kind kind, Instant now, Instant expires, String issuedBy,
      Long issuedByToken) {
    StringBuilder secret = new StringBuilder(kind == ApiToken.Kind.API ? "gty_" : "gte_");
    for (int i = 0; i < 40; i++) {
      secret.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into api_tokens (user_id, name, kind, token_prefix, token_hash, created_at, expires_at, issued_by,
                                issued_by_token)
        values (:user, :name, :kind, :prefix, :hash, :now, :expires, :issuedBy, :issuedByToken)
        """).param("user", user.id()).param("name", name).param("kind", kind.id())
        .param("prefix", secret.substring(0, 10)).param("hash", hash(secret.toString()))
        .param("now", Timestamp.from(now)).param("expires", Timestamp.from(expires)).param("issuedBy", issuedBy)
        .param("issuedByToken", issuedByToken).update(keys, "id");
    return new Issued(get(keys.getKeyAs(Number.class).longValue()), secret.toString());
  }

  /** The token a secret stands for, whatever its state; the caller decides what expired or revoked means. */
  public Optional<ApiToken> findBySecret(String secret) {
    return jdbc.sql(SELECT + " where t.token_hash = :hash").param("hash", hash(secret)).query(ApiTokens::map)
        .optional();
  }

  /** A token and its user as they are now. */
  record OfUser(ApiToken token, User user) {}

  /** The token with this secret, with its user, in one query: each call of the API asks it. */
  Optional<OfUser> findBySecretWithUser(String secret) {
    return jdbc.sql("""
        select t.*, u.name as user_name, u.display_name as user_display_name, u.roles as user_roles,
               u.disabled as user_disabled, u.created_at as user_created_at, u.created_by as user_created_by,
               u.row_version as user_row_version
          from api_tokens t join users u on u.id = t.user_id where t.token_hash = :hash
        """).param("hash", hash(secret)).query((rs, row) -> new OfUser(map(rs, row), Users.map(rs, "user_")))
        .optional();
  }

  public ApiToken get(long id) {
    return jdbc.sql(SELECT + " where t.id = :id").param("id", id).query(ApiTokens::map).optional()
        .orElseThrow(() -> new NotFoundException("token", String.valueOf(id)));
  }

  /** The token {@code id} when it is {@code user}'s. */
  public Optional<ApiToken> find(long id, String user) {
    return jdbc.sql(SELECT + " where t.id = :id and u.name = :user").param("id", id).param("user", user)
        .query(ApiTokens::map).optional();
  }

  public List<ApiToken> of(String user) {
    return jdbc.sql(SELECT + " where u.name = :user order by t.created_at desc, t.id desc").param("user", user)
        .query(ApiTokens::map).list();
  }

  /**
   * Revokes a token and, with it, every token made with it, transitively (each recorded as such).
   * Returns the tokens revoked, this one first.
   */
  public List<ApiToken> revoke(long id, Actor by) {
    ApiToken token = get(id);
    if (token.revokedAt() != null) {
      throw new ConflictException("token " + id + " was already revoked at " + token.revokedAt());
    }
    Instant now = clock.instant();
    if (!revokeOne(token, now, by, "revoked by " + by.name())) {
      throw new ConflictException("token " + id + " was revoked meanwhile");
    }
    List<ApiToken> revoked = new ArrayList<>(List.of(get(id)));
    List<Long> parents = List.of(id);
    while (!parents.isEmpty()) {
      List<Long> next = new ArrayList<>();
      for (long parent : parents) {
        for (ApiToken child : jdbc.sql(SELECT + " where t.issued_by_token = :parent and t.revoked_at is null"
            + " order by t.id").param("parent", parent).query(ApiTokens::map).list()) {
          if (revokeOne(child, now, by, "revoked with token " + parent + ", which made it")) {
            revoked.add(get(child.id()));
            next.add(child.id());
          }
        }
      }
      parents = next;
    }
    return revoked;
  }

  private boolean revokeOne(ApiToken token, Instant now, Actor by, String reason) {
    int rows = jdbc.sql("""
        update api_tokens set revoked_at = :now, revoked_by = :by, revoked_reason = :reason
         where id = :id and revoked_at is null
        """).param("now", Timestamp.from(now)).param("by", by.name()).param("reason", reason)
        .param("id", token.id()).update();
    if (rows == 1) {
      IdentityHistory.record(jdbc, now, by, IdentityHistory.Action.TOKEN_REVOKED, token.user(), token.id(),
          (token.kind() == ApiToken.Kind.ENROLMENT ? "enrolment code " : "token ") + token.id() + " \""
              + token.name() + "\": " + reason);
    }
    return rows == 1;
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
    long issuedByToken = rs.getLong("issued_by_token");
    Long issuer = rs.wasNull() ? null : issuedByToken;
    return new ApiToken(rs.getLong("id"), rs.getString("user_name"), rs.getString("name"),
        ApiToken.Kind.of(rs.getString("kind")), rs.getString("token_prefix"), instant(rs, "created_at"),
        instant(rs, "expires_at"), rs.getString("issued_by"), issuer, instant(rs, "revoked_at"),
        rs.getString("revoked_by"), rs.getString("revoked_reason"), instant(rs, "last_used_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
