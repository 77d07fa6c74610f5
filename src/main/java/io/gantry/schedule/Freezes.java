package io.gantry.schedule;

import io.gantry.shared.NotFoundException;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** Freeze periods. A removed freeze stays, with who removed it, when and why. */
@Repository
class Freezes {

  private final JdbcClient jdbc;

  Freezes(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Freeze add(FreezeRules.Checked f, String by, Instant now) {
    String starts;
    String ends;
    String days = null;
    String zone = null;
    switch (f.recurrence()) {
      case Freeze.Once once -> {
        starts = once.from().toString();
        ends = once.to().toString();
      }
      case Freeze.Yearly yearly -> {
        starts = Freeze.Yearly.text(yearly.first());
        ends = Freeze.Yearly.text(yearly.last());
        zone = yearly.zone().getId();
      }
      case Freeze.Weekly weekly -> {
        starts = weekly.weekly().start().toString();
        ends = weekly.weekly().end().toString();
        days = weekly.weekly().days().stream().sorted().map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(","));
        zone = weekly.weekly().zone().getId();
      }
    }
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into freezes (name, reason, environment, service, recurrence, starts, ends, days, time_zone,
                             declared_by, declared_at, row_version)
        values (:name, :reason, :environment, :service, :recurrence, :starts, :ends, :days, :zone, :by, :now, 0)
        """).param("name", f.name()).param("reason", f.reason()).param("environment", f.environment())
        .param("service", f.service()).param("recurrence", f.recurrence().kind()).param("starts", starts)
        .param("ends", ends).param("days", days).param("zone", zone).param("by", by).param("now", Timestamp.from(now))
        .update(keys, "id");
    return get(keys.getKeyAs(Number.class).longValue());
  }

  Optional<Freeze> find(long id) {
    return jdbc.sql("select * from freezes where id = :id").param("id", id).query(Freezes::map).optional();
  }

  Freeze get(long id) {
    return find(id).orElseThrow(() -> new NotFoundException("freeze", String.valueOf(id)));
  }

  /** Freezes not removed, oldest first. */
  List<Freeze> active() {
    return jdbc.sql("select * from freezes where removed_at is null order by id").query(Freezes::map).list();
  }

  /** Every freeze, removed ones too, oldest first. */
  List<Freeze> all() {
    return jdbc.sql("select * from freezes order by id").query(Freezes::map).list();
  }

  /** Freezes not removed that hold deployments of the service into the environment. */
  List<Freeze> covering(String environment, String service) {
    return active().stream().filter(f -> f.covers(environment, service)).toList();
  }

  Freeze remove(Freeze f, String by, String reason, Instant now) {
    int rows = jdbc.sql("""
        update freezes set removed_by = :by, removed_at = :now, removed_reason = :reason, row_version = row_version + 1
         where id = :id and row_version = :expected and removed_at is null
        """).param("by", by).param("now", Timestamp.from(now)).param("reason", reason).param("id", f.id())
        .param("expected", f.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("freeze", String.valueOf(f.id()), f.rowVersion());
    }
    return get(f.id());
  }

  static Freeze map(ResultSet rs, int row) throws SQLException {
    return new Freeze(rs.getLong("id"), rs.getString("name"), rs.getString("reason"), rs.getString("environment"),
        rs.getString("service"), FreezeRules.stored(rs.getString("recurrence"), rs.getString("starts"),
            rs.getString("ends"), rs.getString("days"), rs.getString("time_zone")),
        rs.getString("declared_by"), instant(rs, "declared_at"), rs.getString("removed_by"),
        instant(rs, "removed_at"), rs.getString("removed_reason"), rs.getLong("row_version"));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  static String day(DayOfWeek day) {
    return day.name().substring(0, 3).toLowerCase(Locale.ROOT);
  }
}
