package io.gantry.trigger;

import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * The firings of triggers, one per (model, trigger, cause), and how far the sweeps have looked. A
 * second insert for the same cause fails on the unique key: that is how two servers, or one after a
 * restart, agree that a cause has been acted on.
 */
@Repository
class Firings {

  private final JdbcClient jdbc;

  Firings(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** What a new firing is. */
  record NewFiring(String model, int modelVersion, String trigger, String cause, String component, String version,
      String stage, String environment, String requestedBy, String reason) {}

  boolean exists(String model, String trigger, String cause) {
    return jdbc.sql("""
        select count(*) from trigger_firings where model = :model and trigger_name = :trigger and cause = :cause
        """).param("model", model).param("trigger", trigger).param("cause", cause).query(Long.class).single() > 0;
  }

  /**
   * Inserts a firing; throws {@link DuplicateKeyException} when the cause has fired already (or is
   * firing right now in another transaction that then commits).
   */
  long insert(NewFiring f, Firing.Status status, String refusal, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into trigger_firings (model, model_version, trigger_name, cause, component, version, stage,
                                     environment, status, requested_by, reason, refusal, fired_at)
        values (:model, :modelVersion, :trigger, :cause, :component, :version, :stage, :environment, :status, :by,
                :reason, :refusal, :now)
        """).param("model", f.model()).param("modelVersion", f.modelVersion()).param("trigger", f.trigger())
        .param("cause", f.cause()).param("component", f.component()).param("version", f.version())
        .param("stage", f.stage()).param("environment", f.environment()).param("status", status.name())
        .param("by", f.requestedBy()).param("reason", cut(f.reason(), 2000)).param("refusal", cut(refusal, 4000))
        .param("now", Timestamp.from(now)).update(keys, "id");
    return keys.getKeyAs(Number.class).longValue();
  }

  void requested(long firing, long deployment) {
    jdbc.sql("update trigger_firings set deployment_id = :d where id = :id").param("d", deployment)
        .param("id", firing).update();
  }

  /** Firings, newest first; {@code model} null means every model's. */
  Page<Firing> page(String model, PageRequest request) {
    String where = model == null ? "" : " where model = :model";
    var count = jdbc.sql("select count(*) from trigger_firings" + where);
    var items = jdbc.sql("select * from trigger_firings" + where + " order by id desc limit :limit offset :offset");
    if (model != null) {
      count = count.param("model", model);
      items = items.param("model", model);
    }
    long total = count.query(Long.class).single();
    return new Page<>(items.param("limit", request.size()).param("offset", request.offset()).query(Firings::map)
        .list(), request.page(), request.size(), total);
  }

  Optional<Instant> watermark(String name) {
    return jdbc.sql("select swept_until from trigger_watermarks where name = :name").param("name", name)
        .query((rs, n) -> rs.getTimestamp("swept_until").toInstant()).optional();
  }

  /**
   * Moves a watermark forward to {@code until}; never back (another server may be further on). Runs
   * outside any transaction: a first insert that loses to another server's is followed by an update.
   */
  void advance(String name, Instant until) {
    int rows = jdbc.sql("update trigger_watermarks set swept_until = :until where name = :name and swept_until < :until")
        .param("until", Timestamp.from(until)).param("name", name).update();
    if (rows == 0 && watermark(name).isEmpty()) {
      try {
        jdbc.sql("insert into trigger_watermarks (name, swept_until) values (:name, :until)").param("name", name)
            .param("until", Timestamp.from(until)).update();
      } catch (DuplicateKeyException e) {
        advance(name, until);
      }
    }
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }

  static Firing map(ResultSet rs, int row) throws SQLException {
    Number deployment = (Number) rs.getObject("deployment_id");
    return new Firing(rs.getLong("id"), rs.getString("model"), rs.getInt("model_version"),
        rs.getString("trigger_name"), rs.getString("cause"), rs.getString("component"), rs.getString("version"),
        rs.getString("stage"), rs.getString("environment"), Firing.Status.valueOf(rs.getString("status")),
        deployment == null ? null : deployment.longValue(), rs.getString("requested_by"), rs.getString("reason"),
        rs.getString("refusal"), rs.getTimestamp("fired_at").toInstant());
  }
}
