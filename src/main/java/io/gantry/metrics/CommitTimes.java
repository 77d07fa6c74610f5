package io.gantry.metrics;

import io.gantry.shared.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The commit time of deployed versions: the {@code commitTime} attribute of a component version
 * (ISO-8601, e.g. {@code 2026-03-01T09:15:00Z} or with an offset), read once per version into
 * {@code metrics_commit_times}, where the deployment facts join it in SQL. Versions are immutable, so what is read
 * once stays true. A missing or unreadable value is stored as unknown.
 */
@Component
class CommitTimes {

  static final String ATTRIBUTE = "commitTime";

  private final JdbcClient jdbc;

  CommitTimes(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Reads the commit times of the versions that the successful ones of these deployments installed, if not yet read. */
  void read(List<Long> deployments) {
    record Unread(String service, String component, String version, String attributes) {}
    List<Unread> unread = jdbc.sql("""
        select distinct d.service, d.component, d.version, v.attributes
          from deployments d
          join services s on s.name = d.service
          join components c on c.service_id = s.id and c.name = d.component
          join component_versions v on v.component_id = c.id and v.version = d.version
         where d.id in (:ids) and d.state = 'SUCCEEDED'
           and not exists (select 1 from metrics_commit_times m
                            where m.service = d.service and m.component = d.component and m.version = d.version)
        """).param("ids", deployments)
        .query((rs, n) -> new Unread(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    for (Unread u : unread) {
      Instant commit = parse(u.attributes());
      try {
        jdbc.sql("""
            insert into metrics_commit_times (service, component, version, commit_time)
            values (:service, :component, :version, :commit)
            """).param("service", u.service()).param("component", u.component()).param("version", u.version())
            .param("commit", commit == null ? null : java.sql.Timestamp.from(commit)).update();
      } catch (DuplicateKeyException e) {
        // another report read it at the same time; the value is the same
      }
    }
  }

  static Instant parse(String attributesJson) {
    Map<String, String> attributes;
    try {
      attributes = Json.readStringMap(attributesJson);
    } catch (RuntimeException e) {
      return null;
    }
    String value = attributes.get(ATTRIBUTE);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.strip()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
