package io.gantry.catalog;

import io.gantry.shared.Json;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The services, stored with optimistic locking. */
@Repository
public class Services {

  private final JdbcClient jdbc;
  private final Clock clock;

  public Services(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public List<Service> all() {
    return jdbc.sql("select * from services order by name").query(Services::map).list();
  }

  public Page<Service> page(PageRequest request) {
    long total = jdbc.sql("select count(*) from services").query(Long.class).single();
    List<Service> items = jdbc.sql("select * from services order by name limit :limit offset :offset")
        .param("limit", request.size()).param("offset", request.offset()).query(Services::map).list();
    return new Page<>(items, request.page(), request.size(), total);
  }

  public Optional<Service> find(String name) {
    return jdbc.sql("select * from services where name = :name").param("name", name).query(Services::map).optional();
  }

  public Service create(ServiceDefinition def) {
    Instant now = clock.instant();
    jdbc.sql("""
        insert into services (name, description, owner, labels, created_at, updated_at, row_version)
        values (:name, :description, :owner, :labels, :now, :now, 0)
        """)
        .param("name", def.name()).param("description", def.description()).param("owner", def.owner())
        .param("labels", Json.write(def.labels())).param("now", Timestamp.from(now)).update();
    return find(def.name()).orElseThrow();
  }

  public Service update(ServiceDefinition def, long expectedRowVersion) {
    int rows = jdbc.sql("""
        update services set description = :description, owner = :owner, labels = :labels,
               updated_at = :now, row_version = row_version + 1
         where name = :name and row_version = :expected
        """)
        .param("name", def.name()).param("description", def.description()).param("owner", def.owner())
        .param("labels", Json.write(def.labels())).param("now", Timestamp.from(clock.instant()))
        .param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("service", def.name(), expectedRowVersion);
    }
    return find(def.name()).orElseThrow();
  }

  public void delete(String name, long expectedRowVersion) {
    int rows = jdbc.sql("delete from services where name = :name and row_version = :expected")
        .param("name", name).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("service", name, expectedRowVersion);
    }
  }

  static Service map(ResultSet rs, int row) throws SQLException {
    return new Service(rs.getLong("id"),
        new ServiceDefinition(rs.getString("name"), rs.getString("description"), rs.getString("owner"),
            Json.readStringMap(rs.getString("labels"))),
        rs.getLong("row_version"), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }
}
