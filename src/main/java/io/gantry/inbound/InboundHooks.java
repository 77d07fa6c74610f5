package io.gantry.inbound;

import io.gantry.catalog.ComponentRef;
import io.gantry.shared.Json;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The declared inbound hooks, stored with optimistic locking; written only by applying the configuration. */
@Repository
public class InboundHooks {

  private final JdbcClient jdbc;
  private final Clock clock;

  public InboundHooks(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public List<InboundHook> all() {
    return jdbc.sql("select * from inbound_hooks order by name").query(InboundHooks::map).list();
  }

  /** The CDEvents hook declared for the artifact of that package URL (without version), if any. */
  public Optional<InboundHook> forArtifact(String artifact) {
    return jdbc.sql("select * from inbound_hooks where provider = 'CDEVENTS' and artifact = :artifact")
        .param("artifact", artifact).query(InboundHooks::map).optional();
  }

  public Optional<InboundHook> find(String name) {
    return jdbc.sql("select * from inbound_hooks where name = :name").param("name", name)
        .query(InboundHooks::map).optional();
  }

  public InboundHook create(InboundHookDefinition def) {
    jdbc.sql("""
        insert into inbound_hooks (name, description, provider, repository, artifact, service, component, secret,
                                   labels, created_at, updated_at, row_version)
        values (:name, :description, :provider, :repository, :artifact, :service, :component, :secret, :labels,
                :now, :now, 0)
        """).param("name", def.name()).param("description", def.description())
        .param("provider", def.provider().name()).param("repository", def.repository())
        .param("artifact", def.artifact())
        .param("service", def.component().service()).param("component", def.component().component())
        .param("secret", def.secret()).param("labels", Json.write(def.labels()))
        .param("now", Timestamp.from(clock.instant())).update();
    return find(def.name()).orElseThrow();
  }

  public InboundHook update(InboundHookDefinition def, long expectedRowVersion) {
    int rows = jdbc.sql("""
        update inbound_hooks set description = :description, provider = :provider, repository = :repository,
               artifact = :artifact, service = :service, component = :component, secret = :secret, labels = :labels, updated_at = :now,
               row_version = row_version + 1
         where name = :name and row_version = :expected
        """).param("name", def.name()).param("description", def.description())
        .param("provider", def.provider().name()).param("repository", def.repository())
        .param("artifact", def.artifact())
        .param("service", def.component().service()).param("component", def.component().component())
        .param("secret", def.secret()).param("labels", Json.write(def.labels()))
        .param("now", Timestamp.from(clock.instant())).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("inbound hook", def.name(), expectedRowVersion);
    }
    return find(def.name()).orElseThrow();
  }

  public void delete(String name, long expectedRowVersion) {
    int rows = jdbc.sql("delete from inbound_hooks where name = :name and row_version = :expected")
        .param("name", name).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("inbound hook", name, expectedRowVersion);
    }
  }

  private static InboundHook map(ResultSet rs, int row) throws SQLException {
    return new InboundHook(rs.getLong("id"), new InboundHookDefinition(rs.getString("name"),
        rs.getString("description"), HookProvider.valueOf(rs.getString("provider")), rs.getString("repository"),
        rs.getString("artifact"), new ComponentRef(rs.getString("service"), rs.getString("component")), rs.getString("secret"),
        Json.readStringMap(rs.getString("labels"))), rs.getLong("row_version"));
  }
}
