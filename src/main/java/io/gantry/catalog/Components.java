package io.gantry.catalog;

import io.gantry.shared.Json;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The components of all services, stored with optimistic locking. */
@Repository
public class Components {

  private static final String SELECT = """
      select c.*, s.name as service_name from components c join services s on s.id = c.service_id
      """;

  private final JdbcClient jdbc;
  private final Clock clock;

  public Components(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public List<Component> all() {
    return jdbc.sql(SELECT + " order by s.name, c.name").query(Components::map).list();
  }

  public Page<Component> page(String service, PageRequest request) {
    String where = service == null ? "" : " where s.name = :service";
    long total = jdbc.sql("select count(*) from components c join services s on s.id = c.service_id" + where)
        .params(service == null ? java.util.Map.of() : java.util.Map.of("service", service))
        .query(Long.class).single();
    var spec = jdbc.sql(SELECT + where + " order by s.name, c.name limit :limit offset :offset")
        .param("limit", request.size()).param("offset", request.offset());
    if (service != null) {
      spec = spec.param("service", service);
    }
    return new Page<>(spec.query(Components::map).list(), request.page(), request.size(), total);
  }

  public Optional<Component> find(ComponentRef ref) {
    return jdbc.sql(SELECT + " where s.name = :service and c.name = :name")
        .param("service", ref.service()).param("name", ref.component()).query(Components::map).optional();
  }

  public Component create(ComponentDefinition def) {
    var now = Timestamp.from(clock.instant());
    jdbc.sql("""
        insert into components (service_id, name, type, description, model, requires, required_attributes,
                                labels, created_at, updated_at, row_version)
        values ((select id from services where name = :service), :name, :type, :description, :model,
                :requires, :requiredAttributes, :labels, :now, :now, 0)
        """)
        .param("service", def.service()).param("name", def.name()).param("type", def.type().id())
        .param("description", def.description()).param("model", def.model())
        .param("requires", Json.write(def.requires()))
        .param("requiredAttributes", Json.write(def.requiredAttributes()))
        .param("labels", Json.write(def.labels())).param("now", now).update();
    return find(def.ref()).orElseThrow();
  }

  public Component update(ComponentDefinition def, long expectedRowVersion) {
    int rows = jdbc.sql("""
        update components set type = :type, description = :description, model = :model, requires = :requires,
               required_attributes = :requiredAttributes, labels = :labels, updated_at = :now,
               row_version = row_version + 1
         where service_id = (select id from services where name = :service) and name = :name
           and row_version = :expected
        """)
        .param("service", def.service()).param("name", def.name()).param("type", def.type().id())
        .param("description", def.description()).param("model", def.model())
        .param("requires", Json.write(def.requires()))
        .param("requiredAttributes", Json.write(def.requiredAttributes()))
        .param("labels", Json.write(def.labels())).param("now", Timestamp.from(clock.instant()))
        .param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("component", def.ref().toString(), expectedRowVersion);
    }
    return find(def.ref()).orElseThrow();
  }

  public void delete(ComponentRef ref, long expectedRowVersion) {
    int rows = jdbc.sql("""
        delete from components where service_id = (select id from services where name = :service)
           and name = :name and row_version = :expected
        """)
        .param("service", ref.service()).param("name", ref.component()).param("expected", expectedRowVersion)
        .update();
    if (rows == 0) {
      throw new StaleUpdateException("component", ref.toString(), expectedRowVersion);
    }
  }

  static Component map(ResultSet rs, int row) throws SQLException {
    return new Component(rs.getLong("id"),
        new ComponentDefinition(rs.getString("service_name"), rs.getString("name"),
            ComponentType.valueOf(rs.getString("type").toUpperCase(java.util.Locale.ROOT)),
            rs.getString("description"), rs.getString("model"),
            Json.readList(rs.getString("requires"), ComponentDefinition.Requirement.class),
            Json.readStringList(rs.getString("required_attributes")),
            Json.readStringMap(rs.getString("labels"))),
        rs.getLong("row_version"), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }
}
