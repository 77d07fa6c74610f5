package io.gantry.release;

import io.gantry.catalog.ComponentRef;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** Releases, their runs, the runs' members and history. */
@Repository
public class ReleaseRecords {

  private final JdbcClient jdbc;

  public ReleaseRecords(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  // --- releases

  Release insert(String name, String description, List<Release.Item> items, String by, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("insert into releases (name, description, created_by, created_at) values (:name, :description, :by, :now)")
        .param("name", name).param("description", description).param("by", by).param("now", Timestamp.from(now))
        .update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    for (Release.Item item : items) {
      jdbc.sql("""
          insert into release_items (release_id, position, service, component, version)
          values (:id, :position, :service, :component, :version)
          """).param("id", id).param("position", item.position()).param("service", item.component().service())
          .param("component", item.component().component()).param("version", item.version()).update();
    }
    return release(id);
  }

  Optional<Release> find(String name) {
    return jdbc.sql("select id from releases where name = :name").param("name", name).query(Long.class).optional()
        .map(this::release);
  }

  Release release(long id) {
    List<Release.Item> items = jdbc.sql("select * from release_items where release_id = :id order by position")
        .param("id", id).query((rs, n) -> new Release.Item(rs.getInt("position"),
            new ComponentRef(rs.getString("service"), rs.getString("component")), rs.getString("version"))).list();
    return jdbc.sql("select * from releases where id = :id").param("id", id)
        .query((rs, n) -> new Release(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
            rs.getString("created_by"), instant(rs, "created_at"), items)).optional()
        .orElseThrow(() -> new NotFoundException("release", String.valueOf(id)));
  }

  /** Releases, newest first. */
  List<Release> releases(int limit) {
    return jdbc.sql("select id from releases order by id desc limit :limit").param("limit", limit)
        .query(Long.class).list().stream().map(this::release).toList();
  }

  // --- runs

  ReleaseRun insertRun(Release release, String environment, String by, String reason, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into release_runs (release_id, environment, state, requested_by, requested_at, reason, row_version)
        values (:release, :environment, 'RUNNING', :by, :now, :reason, 0)
        """).param("release", release.id()).param("environment", environment).param("by", by)
        .param("now", Timestamp.from(now)).param("reason", reason).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    history(id, now, by, ReleaseRun.State.RUNNING, reason);
    return run(id);
  }

  private static final String RUN = """
      select r.*, x.name as release_name from release_runs r join releases x on x.id = r.release_id
      """;

  ReleaseRun run(long id) {
    return findRun(id).orElseThrow(() -> new NotFoundException("release run", String.valueOf(id)));
  }

  Optional<ReleaseRun> findRun(long id) {
    return jdbc.sql(RUN + " where r.id = :id").param("id", id).query(ReleaseRecords::mapRun).optional();
  }

  /** The run, its row locked until the transaction ends: those who move it take turns. */
  ReleaseRun lockRun(long id) {
    jdbc.sql("select id from release_runs where id = :id for update").param("id", id).query(Long.class).optional()
        .orElseThrow(() -> new NotFoundException("release run", String.valueOf(id)));
    return run(id);
  }

  List<ReleaseRun> runsOf(long release) {
    return jdbc.sql(RUN + " where r.release_id = :release order by r.id desc").param("release", release)
        .query(ReleaseRecords::mapRun).list();
  }

  List<ReleaseRun> runs(String environment, int limit) {
    if (environment == null) {
      return jdbc.sql(RUN + " order by r.id desc limit :limit").param("limit", limit).query(ReleaseRecords::mapRun)
          .list();
    }
    return jdbc.sql(RUN + " where r.environment = :environment order by r.id desc limit :limit")
        .param("environment", environment).param("limit", limit).query(ReleaseRecords::mapRun).list();
  }

  List<Long> unfinishedRuns() {
    return jdbc.sql("select id from release_runs where state in ('RUNNING', 'ROLLING_BACK') order by id")
        .query(Long.class).list();
  }

  ReleaseRun transition(ReleaseRun run, ReleaseRun.State to, String actor, String message, Instant now) {
    history(run.id(), now, actor, to, message);
    int rows = jdbc.sql("""
        update release_runs set state = :to, ended_at = :ended, outcome = :outcome, row_version = row_version + 1
         where id = :id and row_version = :expected
        """).param("to", to.name()).param("ended", to.isFinal() ? Timestamp.from(now) : null)
        .param("outcome", to.isFinal() ? truncate(message, 4000) : run.outcome()).param("id", run.id())
        .param("expected", run.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("release run", String.valueOf(run.id()), run.rowVersion());
    }
    return run(run.id());
  }

  void cancelRequested(ReleaseRun run, String reason, String actor, Instant now) {
    history(run.id(), now, actor, null, "cancel requested: " + reason);
    jdbc.sql("update release_runs set cancel_requested = :reason, row_version = row_version + 1 where id = :id")
        .param("reason", truncate(reason, 2000)).param("id", run.id()).update();
  }

  // --- members and history

  void addMember(long run, int position, ReleaseRun.Purpose purpose, Long deployment, Long rollsBack, String note) {
    jdbc.sql("""
        insert into release_members (run_id, position, purpose, deployment_id, rolls_back, note)
        values (:run, :position, :purpose, :deployment, :rollsBack, :note)
        """).param("run", run).param("position", position).param("purpose", purpose.name())
        .param("deployment", deployment).param("rollsBack", rollsBack).param("note", truncate(note, 2000)).update();
  }

  List<ReleaseRun.Member> members(long run) {
    return jdbc.sql("select * from release_members where run_id = :run order by position").param("run", run)
        .query((rs, n) -> new ReleaseRun.Member(rs.getInt("position"),
            ReleaseRun.Purpose.valueOf(rs.getString("purpose")), nullableLong(rs, "deployment_id"),
            nullableLong(rs, "rolls_back"), rs.getString("note"))).list();
  }

  /** The run a deployment belongs to. */
  Optional<Long> runOf(long deployment) {
    return jdbc.sql("select run_id from release_members where deployment_id = :d").param("d", deployment)
        .query(Long.class).optional();
  }

  void history(long run, Instant at, String actor, ReleaseRun.State state, String message) {
    jdbc.sql("insert into release_history (run_id, at, actor, state, message) values (:run, :at, :actor, :state, :m)")
        .param("run", run).param("at", Timestamp.from(at)).param("actor", actor)
        .param("state", state == null ? null : state.name()).param("m", truncate(message, 4000)).update();
  }

  List<ReleaseRun.Entry> history(long run) {
    return jdbc.sql("select * from release_history where run_id = :run order by id").param("run", run)
        .query((rs, n) -> new ReleaseRun.Entry(rs.getLong("id"), instant(rs, "at"), rs.getString("actor"),
            rs.getString("state") == null ? null : ReleaseRun.State.valueOf(rs.getString("state")),
            rs.getString("message"))).list();
  }

  private static ReleaseRun mapRun(ResultSet rs, int n) throws SQLException {
    return new ReleaseRun(rs.getLong("id"), rs.getLong("release_id"), rs.getString("release_name"),
        rs.getString("environment"), ReleaseRun.State.valueOf(rs.getString("state")), rs.getString("requested_by"),
        instant(rs, "requested_at"), rs.getString("reason"), rs.getString("cancel_requested"),
        instant(rs, "ended_at"), rs.getString("outcome"), rs.getLong("row_version"));
  }

  private static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
