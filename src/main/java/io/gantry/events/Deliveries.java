package io.gantry.events;

import io.gantry.shared.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  Deliveries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Events not yet fanned out, oldest first, locked for this transaction (others skip them). */
  List<StoredEvent> toFanOut(int limit) {
    // the candidates first, without locks, then those of them no one else holds: a single "limit ... for update"
    // makes H2 lock every row that matches before it applies the limit
    List<Long> candidates = jdbc.sql("select id from outbox_events where fanned_out = false order by id limit :limit")
        .param("limit", limit).query(Long.class).list();
    if (candidates.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("""
        select * from outbox_events where id in (:ids) and fanned_out = false order by id for update skip locked
        """).param("ids", candidates).query(Outbox::map).list();
  }

  /** Plans the event's deliveries and marks it fanned out. */
  void plan(StoredEvent event, List<Destination> destinations, Instant now) {
    for (Destination d : destinations) {
      jdbc.sql("""
          insert into event_deliveries (event_id, channel, subscription_id, destination, settings, state, attempts,
                                        next_attempt_at, created_at)
          values (:event, :channel, :subscription, :destination, :settings, 'PENDING', 0, :now, :now)
          """).param("event", event.id()).param("channel", d.channel()).param("subscription", d.subscription())
          .param("destination", d.address()).param("settings", Json.write(d.settings()))
          .param("now", Timestamp.from(now)).update();
    }
    jdbc.sql("update outbox_events set fanned_out = true where id = :id").param("id", event.id()).update();
  }

  /** Takes up to {@code limit} due deliveries for {@code owner} until {@code leaseUntil}, with their events. */
  List<Claimed> claim(String owner, Instant now, Instant leaseUntil, int limit) {
    // the candidates first, without locks, then those of them no one else holds (see toFanOut)
    List<Long> candidates = jdbc.sql("""
        select id from event_deliveries
         where state = 'PENDING' and next_attempt_at <= :now and (lease_until is null or lease_until < :now)
         order by next_attempt_at, id limit :limit
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

  /** Records a successful attempt; false when the lease was lost meanwhile (another server took it over). */
  boolean delivered(Claimed c, String owner, Instant at, long millis, String note) {
    int attempt = c.attemptsBefore() + 1;
    int rows = jdbc.sql("""
        update event_deliveries set state = 'DELIVERED', attempts = :attempt, delivered_at = :at, last_error = null,
               lease_owner = null, lease_until = null
         where id = :id and lease_owner = :owner and state = 'PENDING'
        """).param("attempt", attempt).param("at", Timestamp.from(at)).param("id", c.delivery())
        .param("owner", owner).update();
    addAttempt(c.delivery(), attempt, at, millis, true, note);
    return rows == 1;
  }

  /** Records a failed attempt: tried again at {@code next}, or dead when {@code next} is null. */
  void failed(Claimed c, String owner, Instant at, long millis, String error, Instant next) {
    int attempt = c.attemptsBefore() + 1;
    jdbc.sql("""
        update event_deliveries set state = :state, attempts = :attempt, next_attempt_at = :next,
               last_error = :error, lease_owner = null, lease_until = null
         where id = :id and lease_owner = :owner and state = 'PENDING'
        """).param("state", next == null ? State.DEAD.name() : State.PENDING.name()).param("attempt", attempt)
        .param("next", Timestamp.from(next == null ? at : next)).param("error", cut(error))
        .param("id", c.delivery()).param("owner", owner).update();
    addAttempt(c.delivery(), attempt, at, millis, false, error);
  }

  private void addAttempt(long delivery, int attempt, Instant at, long millis, boolean ok, String detail) {
    jdbc.sql("""
        insert into delivery_attempts (delivery_id, attempt, at, millis, ok, detail)
        values (:d, :attempt, :at, :millis, :ok, :detail)
        """).param("d", delivery).param("attempt", attempt).param("at", Timestamp.from(at)).param("millis", millis)
        .param("ok", ok).param("detail", cut(detail)).update();
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
