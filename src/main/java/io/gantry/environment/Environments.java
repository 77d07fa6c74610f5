package io.gantry.environment;

import io.gantry.shared.Json;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The environments, stored with optimistic locking. */
@Repository
public class Environments {

  private final JdbcClient jdbc;
  private final Clock clock;
  private final ApplicationEventPublisher events;

  /** Environments whose changes are told to no one. */
  public Environments(JdbcClient jdbc, Clock clock) {
    this(jdbc, clock, event -> {});
  }

  /**
   * Environments that publish {@link EnvironmentCreated}, {@link EnvironmentModified} and
   * {@link EnvironmentDeleted} inside the transaction that writes the change.
   */
  @org.springframework.beans.factory.annotation.Autowired
  public Environments(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.events = events;
  }

  public List<Environment> all() {
    return jdbc.sql("select * from environments order by name").query(Environments::map).list();
  }

  public Page<Environment> page(PageRequest request) {
    long total = jdbc.sql("select count(*) from environments").query(Long.class).single();
    return new Page<>(jdbc.sql("select * from environments order by name limit :limit offset :offset")
        .param("limit", request.size()).param("offset", request.offset()).query(Environments::map).list(),
        request.page(), request.size(), total);
  }

  public Optional<Environment> find(String name) {
    return jdbc.sql("select * from environments where name = :name").param("name", name)
        .query(Environments::map).optional();
  }

  public Environment create(EnvironmentDefinition def) {
    var now = Timestamp.from(clock.instant());
    jdbc.sql("""
        insert into environments (name, description, purpose, controlled, owner, promotes_to, labels,
                                  created_at, updated_at, row_version)
        values (:name, :description, :purpose, :controlled, :owner, :promotesTo, :labels, :now, :now, 0)
        """).params(params(def)).param("now", now).update();
    Environment created = find(def.name()).orElseThrow();
    events.publishEvent(new EnvironmentCreated(created, now.toInstant()));
    return created;
  }

  public Environment update(EnvironmentDefinition def, long expectedRowVersion) {
    int rows = jdbc.sql("""
        update environments set description = :description, purpose = :purpose, controlled = :controlled,
               owner = :owner, promotes_to = :promotesTo, labels = :labels, updated_at = :now,
               row_version = row_version + 1
         where name = :name and row_version = :expected
        """).params(params(def)).param("now", Timestamp.from(clock.instant()))
        .param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("environment", def.name(), expectedRowVersion);
    }
    Environment modified = find(def.name()).orElseThrow();
    events.publishEvent(new EnvironmentModified(modified, modified.updatedAt()));
    return modified;
  }

  public void delete(String name, long expectedRowVersion) {
    int rows = jdbc.sql("delete from environments where name = :name and row_version = :expected")
        .param("name", name).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("environment", name, expectedRowVersion);
    }
    events.publishEvent(new EnvironmentDeleted(name, clock.instant()));
  }

  private static Map<String, Object> params(EnvironmentDefinition def) {
    var p = new java.util.HashMap<String, Object>();
    p.put("name", def.name());
    p.put("description", def.description());
    p.put("purpose", def.purpose().id());
    p.put("controlled", def.controlled());
    p.put("owner", def.owner());
    p.put("promotesTo", Json.write(def.promotesTo()));
    p.put("labels", Json.write(def.labels()));
    return p;
  }

  static Environment map(ResultSet rs, int row) throws SQLException {
    return new Environment(rs.getLong("id"),
        new EnvironmentDefinition(rs.getString("name"), rs.getString("description"),
            Purpose.fromId(rs.getString("purpose")), rs.getBoolean("controlled"), rs.getString("owner"),
            Json.readStringList(rs.getString("promotes_to")), Json.readStringMap(rs.getString("labels"))),
        rs.getLong("row_version"), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }
}
