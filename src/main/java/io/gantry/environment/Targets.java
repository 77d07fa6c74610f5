package io.gantry.environment;

import io.gantry.shared.Json;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The targets of all environments, stored with optimistic locking. */
@Repository
public class Targets {

  private static final String SELECT = """
      select t.*, e.name as environment_name from targets t join environments e on e.id = t.environment_id
      """;

  private final JdbcClient jdbc;
  private final Clock clock;

  public Targets(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public List<Target> all() {
    return jdbc.sql(SELECT + " order by t.name").query(Targets::map).list();
  }

  /** The targets of one environment, by name. */
  public List<Target> in(String environment) {
    return jdbc.sql(SELECT + " where e.name = :environment order by t.name").param("environment", environment)
        .query(Targets::map).list();
  }

  public Page<Target> page(String environment, PageRequest request) {
    String where = environment == null ? "" : " where e.name = :environment";
    Map<String, Object> params = environment == null ? Map.of() : Map.of("environment", environment);
    long total = jdbc.sql("select count(*) from (" + SELECT + where + ") x").params(params).query(Long.class).single();
    return new Page<>(jdbc.sql(SELECT + where + " order by t.name limit :limit offset :offset").params(params)
        .param("limit", request.size()).param("offset", request.offset()).query(Targets::map).list(),
        request.page(), request.size(), total);
  }

  public Optional<Target> find(String name) {
    return jdbc.sql(SELECT + " where t.name = :name").param("name", name).query(Targets::map).optional();
  }

  public Target create(TargetDefinition def) {
    jdbc.sql("""
        insert into targets (name, environment_id, kind, settings, facts, tags, created_at, updated_at, row_version)
        values (:name, (select id from environments where name = :environment), :kind, :settings, :facts, :tags,
                :now, :now, 0)
        """).params(params(def)).param("now", Timestamp.from(clock.instant())).update();
    return find(def.name()).orElseThrow();
  }

  public Target update(TargetDefinition def, long expectedRowVersion) {
    int rows = jdbc.sql("""
        update targets set environment_id = (select id from environments where name = :environment),
               kind = :kind, settings = :settings, facts = :facts, tags = :tags, updated_at = :now,
               row_version = row_version + 1
         where name = :name and row_version = :expected
        """).params(params(def)).param("now", Timestamp.from(clock.instant()))
        .param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("target", def.name(), expectedRowVersion);
    }
    return find(def.name()).orElseThrow();
  }

  public void delete(String name, long expectedRowVersion) {
    int rows = jdbc.sql("delete from targets where name = :name and row_version = :expected")
        .param("name", name).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("target", name, expectedRowVersion);
    }
  }

  /** Settings are the kind-specific fields, kept together so new kinds need no new columns. */
  record Settings(String description, String path, String location, Map<String, String> labels,
      TargetDefinition.Ssh ssh, TargetDefinition.Kubernetes kubernetes) {}

  private static Map<String, Object> params(TargetDefinition def) {
    Map<String, Object> p = new HashMap<>();
    p.put("name", def.name());
    p.put("environment", def.environment());
    p.put("kind", def.kind().id());
    p.put("settings", Json.write(new Settings(def.description(), def.path(), def.location(), def.labels(),
        def.ssh(), def.kubernetes())));
    p.put("facts", Json.write(def.facts()));
    p.put("tags", Json.write(def.tags()));
    return p;
  }

  static Target map(ResultSet rs, int row) throws SQLException {
    Settings s = Json.read(rs.getString("settings"), Settings.class);
    return new Target(rs.getLong("id"),
        new TargetDefinition(rs.getString("name"), s.description(), rs.getString("environment_name"),
            TargetKind.fromId(rs.getString("kind")), s.path(), s.location(),
            Json.readStringMap(rs.getString("facts")), Json.readStringList(rs.getString("tags")), s.labels(),
            s.ssh(), s.kubernetes()),
        rs.getLong("row_version"), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }
}
