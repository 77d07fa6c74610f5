package io.gantry.catalog;

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

/** The OpenPGP keys trusted to sign component versions, stored with optimistic locking. */
@Repository
public class TrustedKeys {

  private final JdbcClient jdbc;
  private final Clock clock;

  public TrustedKeys(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public List<TrustedKey> all() {
    return jdbc.sql("select * from trusted_keys order by name").query(TrustedKeys::map).list();
  }

  public Optional<TrustedKey> find(String name) {
    return jdbc.sql("select * from trusted_keys where name = :name").param("name", name)
        .query(TrustedKeys::map).optional();
  }

  public TrustedKey create(TrustedKeyDefinition def) {
    jdbc.sql("""
        insert into trusted_keys (name, description, public_key, fingerprint, labels, created_at, updated_at,
                                  row_version)
        values (:name, :description, :key, :fingerprint, :labels, :now, :now, 0)
        """)
        .param("name", def.name()).param("description", def.description()).param("key", def.publicKey())
        .param("fingerprint", def.fingerprint()).param("labels", Json.write(def.labels()))
        .param("now", Timestamp.from(clock.instant())).update();
    return find(def.name()).orElseThrow();
  }

  public TrustedKey update(TrustedKeyDefinition def, long expectedRowVersion) {
    int rows = jdbc.sql("""
        update trusted_keys set description = :description, public_key = :key, fingerprint = :fingerprint,
               labels = :labels, updated_at = :now, row_version = row_version + 1
         where name = :name and row_version = :expected
        """)
        .param("name", def.name()).param("description", def.description()).param("key", def.publicKey())
        .param("fingerprint", def.fingerprint()).param("labels", Json.write(def.labels()))
        .param("now", Timestamp.from(clock.instant())).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("trusted key", def.name(), expectedRowVersion);
    }
    return find(def.name()).orElseThrow();
  }

  public void delete(String name, long expectedRowVersion) {
    int rows = jdbc.sql("delete from trusted_keys where name = :name and row_version = :expected")
        .param("name", name).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("trusted key", name, expectedRowVersion);
    }
  }

  private static TrustedKey map(ResultSet rs, int row) throws SQLException {
    return new TrustedKey(rs.getLong("id"),
        new TrustedKeyDefinition(rs.getString("name"), rs.getString("description"), rs.getString("public_key"),
            Json.readStringMap(rs.getString("labels"))),
        rs.getString("fingerprint"), rs.getLong("row_version"), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }
}
