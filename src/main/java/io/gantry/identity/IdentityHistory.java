package io.gantry.identity;

import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The append-only history of identity changes: who created a user, changed its roles, disabled or
 * enabled it, issued or revoked a token, in insertion order (the id). Entries are only ever inserted,
 * in the same transaction as the change they record.
 */
@Repository
class IdentityHistory {

  /** What happened. */
  enum Action {
    USER_CREATED, ROLES_CHANGED, USER_DISABLED, USER_ENABLED, TOKEN_ISSUED, TOKEN_REVOKED, ENROLMENT_ISSUED,
    ADMIN_TOKEN_FILE_REMOVED, ROLE_BOUND, ROLE_UNBOUND, GROUPS_CHANGED, SIGNED_IN, SIGNED_OUT, EMAIL_CHANGED;

    String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** One entry: the actor, the token it acted with (if any), the user concerned and what changed. */
  record Entry(long id, Instant at, String actor, Long actorToken, String action, String user, Long token,
      String detail) {}

  private final JdbcClient jdbc;

  IdentityHistory(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  static void record(JdbcClient jdbc, Instant at, Actor actor, Action action, String user, Long token,
      String detail) {
    jdbc.sql("""
        insert into identity_events (occurred_at, actor, actor_token, action, user_name, token_id, detail)
        values (:at, :actor, :actorToken, :action, :user, :token, :detail)
        """).param("at", Timestamp.from(at)).param("actor", actor.name()).param("actorToken", actor.token())
        .param("action", action.id()).param("user", user).param("token", token)
        .param("detail", detail.length() > 2000 ? detail.substring(0, 2000) : detail).update();
  }

  /** Oldest first, as the changes happened; only one user's entries when {@code user} is given. */
  Page<Entry> page(String user, PageRequest request) {
    String where = user == null ? "" : " where user_name = :user";
    var list = jdbc.sql("select * from identity_events" + where + " order by id limit :limit offset :offset");
    var count = jdbc.sql("select count(*) from identity_events" + where);
    if (user != null) {
      list = list.param("user", user);
      count = count.param("user", user);
    }
    return new Page<>(list.param("limit", request.size()).param("offset", request.offset())
        .query(IdentityHistory::map).list(), request.page(), request.size(), count.query(Long.class).single());
  }

  private static Entry map(ResultSet rs, int row) throws SQLException {
    long actorToken = rs.getLong("actor_token");
    Long actorTokenOrNull = rs.wasNull() ? null : actorToken;
    long token = rs.getLong("token_id");
    Long tokenOrNull = rs.wasNull() ? null : token;
    return new Entry(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"),
        actorTokenOrNull, rs.getString("action"), rs.getString("user_name"), tokenOrNull, rs.getString("detail"));
  }
}
