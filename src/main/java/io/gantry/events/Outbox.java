package io.gantry.events;

import io.gantry.shared.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.JsonNode;

/**
 * Writes events to the outbox in the caller's transaction: the event exists if and only if the state it reports
 * was committed. The CDEvent gets its context here: a new id (kept by every delivery of it, so receivers can drop
 * duplicates), this server's {@code gantry.events.source}, the type, the timestamp and the spec version.
 */
@Service
public class Outbox {

  /** The CDEvents specification version of every event Gantry writes. */
  public static final String CDEVENTS_SPEC_VERSION = "0.5.1";

  private final JdbcClient jdbc;
  private final String source;

  Outbox(JdbcClient jdbc, @Value("${gantry.events.source:/gantry}") String source) {
    this.jdbc = jdbc;
    this.source = source;
  }

  /** The source of the events this server writes (a URI reference). */
  public String source() {
    return source;
  }

  /**
   * Writes the event; must be called inside the transaction that writes the state it reports.
   *
   * @throws IllegalStateException when there is no transaction (the event could outlive a rolled-back state)
   */
  public StoredEvent add(NewEvent event) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("an event is written in the transaction of the state it reports; there is none");
    }
    String id = UUID.randomUUID().toString();
    Instant at = event.at().truncatedTo(ChronoUnit.MICROS);
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("specversion", CDEVENTS_SPEC_VERSION);
    context.put("id", id);
    context.put("source", source);
    context.put("type", event.type());
    context.put("timestamp", timestamp(at));
    Map<String, Object> cdevent = new LinkedHashMap<>();
    cdevent.put("context", context);
    cdevent.put("subject", event.subject());
    if (event.customData() != null) {
      cdevent.put("customData", event.customData());
      cdevent.put("customDataContentType", "application/json");
    }
    String data = Json.write(cdevent);
    JsonNode subjectId = event.subject().get("id");
    String subject = subjectId == null ? null : subjectId.asString();
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into outbox_events (event_id, type, source, subject, occurred_at, deployment_id, environment, service,
                                   data, fanned_out)
        values (:id, :type, :source, :subject, :at, :deployment, :environment, :service, :data, false)
        """).param("id", id).param("type", event.type()).param("source", source).param("subject", subject)
        .param("at", Timestamp.from(at)).param("deployment", event.deployment())
        .param("environment", event.environment()).param("service", event.service()).param("data", data)
        .update(keys, "id");
    return new StoredEvent(keys.getKeyAs(Number.class).longValue(), id, event.type(), source, subject, at,
        event.deployment(), event.environment(), event.service(), data);
  }

  /** The events written since {@code afterId} (exclusive), oldest first, at most {@code limit}. */
  public List<StoredEvent> since(long afterId, int limit) {
    return jdbc.sql("select * from outbox_events where id > :after order by id limit :limit")
        .param("after", afterId).param("limit", limit).query(Outbox::map).list();
  }

  static StoredEvent map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
    return new StoredEvent(rs.getLong("id"), rs.getString("event_id"), rs.getString("type"), rs.getString("source"),
        rs.getString("subject"), rs.getTimestamp("occurred_at").toInstant(), rs.getObject("deployment_id", Long.class),
        rs.getString("environment"), rs.getString("service"), rs.getString("data"));
  }

  /** An instant as CDEvents and CloudEvents write it (RFC 3339, UTC). */
  static String timestamp(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at);
  }
}
