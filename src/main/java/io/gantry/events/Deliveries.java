package io.gantry.events;

import io.gantry.shared.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The deliveries of events to destinations, each with its attempts. A delivery is sent by the server that holds
 * its lease; the lease is taken with {@code FOR UPDATE SKIP LOCKED}, so servers beside each other never send the same
 * delivery at once, and a server that dies while sending leaves it to be sent again when the lease runs out.
 */
@Repository
class Deliveries {

  enum State { PENDING, DELIVERED, DEAD }

  /** One delivery as it stands. */
  record Delivery(long id, long event, String eventId, String type, String channel, Long subscription,
      String destination, Map<String, String> settings, State state, int attempts, Instant nextAttemptAt,
      String lastError, Instant createdAt, Instant deliveredAt) {

    Destination target() {
      return new Destination(channel, subscription, destination, settings);
    }
  }

  /** One attempt of a delivery. */
  record Attempt(int attempt, Instant at, long millis, boolean ok, String detail) {}

  private static final String SELECT = """
      select d.*, e.event_id as outbox_event_id, e.type as event_type
        from event_deliveries d join outbox_events e on e.id = d.event_id
      """;

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;

  Deliveries(JdbcClient jdbc, JdbcTemplate batch) {
    this.jdbc = jdbc;
    this.batch = batch;
  }

  /** Events not yet fanned out, oldest first, locked for this transaction (others skip them). */
  List<StoredEvent> toFanOut(int limit) {
    // the candidates first, without locks, then those of them no one else holds: a single "limit ... for update"
    // makes H2 lock every row that matches before it applies the limit
    // ordered by the index's columns (outbox_events_to_fan_out), so that it is read in that order and no further than
    // the limit: ordered by id alone, H2 reads every event not yet fanned out and sorts them
    List<Long> candidates = jdbc.sql("""
        select id from outbox_events where fanned_out = false order by fanned_out, id limit :limit
        """)
        .param("limit", limit).query(Long.class).list();
    if (candidates.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("""
        select * from outbox_events where id in (:ids) and fanned_out = false order by id for update skip locked
        """).param("ids", candidates).query(Outbox::map).list();
  }

  /**
   * Plans the deliveries of the events and marks them fanned out: the deliveries in one batch of inserts, the events
   * in one update, whatever their number (a fan-out round's cost should not grow with each delivery's round trip).
   */
  void plan(Map<StoredEvent, List<Destination>> planned, Instant now) {
    if (planned.isEmpty()) {
      return;
    }
    Timestamp at = Timestamp.from(now);
    List<Object[]> rows = new ArrayList<>();
    planned.forEach((event, destinations) -> {
      for (Destination d : destinations) {
        rows.add(new Object[] {event.id(), d.channel(), d.subscription(), d.address(), Json.write(d.settings()), at,
            at});
      }
    });
    if (!rows.isEmpty()) {
      batch.batchUpdate("""
          insert into event_deliveries (event_id, channel, subscription_id, destination, settings, state, attempts,
                                        next_attempt_at, created_at)
          values (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)
          """, rows, new int[] {Types.BIGINT, Types.VARCHAR, Types.BIGINT, Types.VARCHAR, Types.VARCHAR,
              Types.TIMESTAMP, Types.TIMESTAMP});
    }
    jdbc.sql("update outbox_events set fanned_out = true where id in (:ids)")
        .param("ids", planned.keySet().stream().map(StoredEvent::id).toList()).update();
  }

  /** Takes up to {@code limit} due deliveries for {@code owner} until {@code leaseUntil}, with their events. */
  List<Claimed> claim(String owner, Instant now, Instant leaseUntil, int limit) {
    // the candidates first, without locks, then those of them no one else holds (see toFanOut); ordered by the
    // columns of event_deliveries_due, so that no more than the limit are read
    List<Long> candidates = jdbc.sql("""
        select id from event_deliveries
         where state = 'PENDING' and next_attempt_at <= :now and (lease_until is null or lease_until < :now)
         order by state, next_attempt_at, id limit :limit
        """).param("now", Timestamp.from(now)).param("limit", limit).query(Long.class).list();
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<Long> ids = jdbc.sql("""
        select id from event_deliveries
         where id in (:ids) and state = 'PENDING' and (lease_until is null or lease_until < :now)
         order by next_attempt_at, id for update skip locked
        """).param("ids", candidates).param("now", Timestamp.from(now)).query(Long.class).list();
    if (ids.isEmpty()) {
      return List.of();
    }
    jdbc.sql("update event_deliveries set lease_owner = :owner, lease_until = :lease where id in (:ids)")
        .param("owner", owner).param("lease", Timestamp.from(leaseUntil)).param("ids", ids).update();
    return jdbc.sql("""
        select d.id as delivery_id, d.channel, d.subscription_id, d.destination, d.settings, d.attempts, e.*
          from event_deliveries d join outbox_events e on e.id = d.event_id
         where d.id in (:ids) order by d.next_attempt_at, d.id
        """).param("ids", ids).query((rs, n) -> new Claimed(rs.getLong("delivery_id"), rs.getInt("attempts"),
            new Destination(rs.getString("channel"), rs.getObject("subscription_id", Long.class),
                rs.getString("destination"), Json.readStringMap(rs.getString("settings"))), Outbox.map(rs, n)))
        .list();
  }

  /** A delivery taken by a server, with the number of attempts made before this one. */
  record Claimed(long delivery, int attemptsBefore, Destination destination, StoredEvent event) {}

  /**
   * What one attempt of a claimed delivery came to: made ({@code next} null and {@code ok}), failed to be tried again
   * at {@code next}, or failed for good ({@code next} null, not {@code ok}: the delivery is dead).
   */
  record Outcome(Claimed claimed, Instant at, long millis, boolean ok, String detail, Instant next) {}

  /**
   * Records the attempts, all in one batch of updates and one of inserts (the senders' results are recorded
   * together: one transaction for many); returns the deliveries whose lease {@code owner} had lost meanwhile
   * (another server took them over: their attempt is recorded, their state left to that server).
   */
  List<Long> record(List<Outcome> outcomes, String owner) {
    if (outcomes.isEmpty()) {
      return List.of();
    }
    List<Object[]> updates = new ArrayList<>();
    List<Object[]> attempts = new ArrayList<>();
    for (Outcome o : outcomes) {
      int attempt = o.claimed().attemptsBefore() + 1;
      State state = o.ok() ? State.DELIVERED : o.next() == null ? State.DEAD : State.PENDING;
      Timestamp at = Timestamp.from(o.at());
      updates.add(new Object[] {state.name(), attempt, o.ok() ? at : null, o.ok() ? null : cut(o.detail()),
          o.ok() ? null : o.next() == null ? at : Timestamp.from(o.next()), o.claimed().delivery(), owner});
      attempts.add(new Object[] {o.claimed().delivery(), attempt, at, o.millis(), o.ok(), cut(o.detail())});
    }
    int[] rows = batch.batchUpdate("""
        update event_deliveries set state = ?, attempts = ?, delivered_at = ?, last_error = ?,
               next_attempt_at = coalesce(?, next_attempt_at),
               lease_owner = null, lease_until = null
         where id = ? and lease_owner = ? and state = 'PENDING'
        """, updates, new int[] {Types.VARCHAR, Types.INTEGER, Types.TIMESTAMP, Types.VARCHAR, Types.TIMESTAMP,
            Types.BIGINT, Types.VARCHAR});
    batch.batchUpdate("""
        insert into delivery_attempts (delivery_id, attempt, at, millis, ok, detail) values (?, ?, ?, ?, ?, ?)
        """, attempts, new int[] {Types.BIGINT, Types.INTEGER, Types.TIMESTAMP, Types.BIGINT, Types.BOOLEAN,
            Types.VARCHAR});
    List<Long> lost = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == 0) {
        lost.add(outcomes.get(i).claimed().delivery());
      }
    }
    return lost;
  }

  /** Queues a dead delivery again, with a fresh budget of attempts; false when it is not dead. */
  boolean requeue(long id, Instant now) {
    return jdbc.sql("""
        update event_deliveries set state = 'PENDING', attempts = 0, next_attempt_at = :now
         where id = :id and state = 'DEAD'
        """).param("now", Timestamp.from(now)).param("id", id).update() == 1;
  }

  /**
   * Forgets up to {@code limit} events older than {@code before} whose deliveries were all made (or that had none),
   * with their deliveries and attempts; pending and dead ones are kept. Returns how many events went.
   */
  int prune(Instant before, int limit) {
    List<Long> ids = jdbc.sql("""
        select e.id from outbox_events e
         where e.occurred_at < :before and e.fanned_out = true
           and not exists (select 1 from event_deliveries d where d.event_id = e.id and d.state <> 'DELIVERED')
         order by e.id limit :limit
        """).param("before", Timestamp.from(before)).param("limit", limit).query(Long.class).list();
    if (ids.isEmpty()) {
      return 0;
    }
    jdbc.sql("""
        delete from delivery_attempts where delivery_id in (select id from event_deliveries where event_id in (:ids))
        """).param("ids", ids).update();
    jdbc.sql("delete from event_deliveries where event_id in (:ids)").param("ids", ids).update();
    return jdbc.sql("delete from outbox_events where id in (:ids)").param("ids", ids).update();
  }

  Optional<Delivery> find(long id) {
    return jdbc.sql(SELECT + " where d.id = :id").param("id", id).query(Deliveries::map).optional();
  }

  /** Deliveries, newest first, of one state or all, of one event or all. */
  List<Delivery> list(State state, Long event, int limit) {
    return jdbc.sql(SELECT + """
         where (cast(:state as varchar(16)) is null or d.state = :state)
           and (cast(:event as bigint) is null or d.event_id = :event)
         order by d.id desc limit :limit
        """).param("state", state == null ? null : state.name()).param("event", event).param("limit", limit)
        .query(Deliveries::map).list();
  }

  List<Attempt> attempts(long delivery) {
    return jdbc.sql("select * from delivery_attempts where delivery_id = :d order by attempt, id")
        .param("d", delivery).query((rs, n) -> new Attempt(rs.getInt("attempt"), rs.getTimestamp("at").toInstant(),
            rs.getLong("millis"), rs.getBoolean("ok"), rs.getString("detail"))).list();
  }

  /** How many deliveries are in each state. */
  Map<State, Long> counts() {
    Map<State, Long> counts = new java.util.EnumMap<>(State.class);
    for (State s : State.values()) {
      counts.put(s, 0L);
    }
    jdbc.sql("select state, count(*) as n from event_deliveries group by state")
        .query((ResultSet rs) -> {
          counts.put(State.valueOf(rs.getString("state")), rs.getLong("n"));
        });
    return counts;
  }

  private static Delivery map(ResultSet rs, int row) throws SQLException {
    Timestamp delivered = rs.getTimestamp("delivered_at");
    return new Delivery(rs.getLong("id"), rs.getLong("event_id"), rs.getString("outbox_event_id"),
        rs.getString("event_type"), rs.getString("channel"), rs.getObject("subscription_id", Long.class),
        rs.getString("destination"), Json.readStringMap(rs.getString("settings")), State.valueOf(rs.getString("state")),
        rs.getInt("attempts"), rs.getTimestamp("next_attempt_at").toInstant(), rs.getString("last_error"),
        rs.getTimestamp("created_at").toInstant(), delivered == null ? null : delivered.toInstant());
  }

  private static String cut(String text) {
    return text == null || text.length() <= 2000 ? text : text.substring(0, 1997) + "...";
  }
}
