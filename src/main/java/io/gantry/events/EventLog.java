package io.gantry.events;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * Reading the events written and where each went, for the API and the console: events tell of every scope and
 * deliveries name receivers, so only those holding deployment manager or auditor as their own role read them;
 * deployment managers queue a dead delivery again.
 */
@Service
public class EventLog {

  public static final Set<Role> READERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.AUDITOR);
  public static final int MAX_LIMIT = 500;

  private final JdbcClient jdbc;
  private final Deliveries deliveries;
  private final Access access;
  private final Clock clock;

  EventLog(JdbcClient jdbc, Deliveries deliveries, Access access, Clock clock) {
    this.jdbc = jdbc;
    this.deliveries = deliveries;
    this.access = access;
    this.clock = clock;
  }

  /** An event in a list, with how its deliveries stand. */
  public record EventSummary(String id, long sequence, String type, String subject, Instant time, Long deployment,
      String environment, String service, long delivered, long pending, long dead) {}

  /** An event with the CDEvent itself and its deliveries. */
  public record EventDetail(String id, long sequence, String type, String source, String subject, Instant time,
      Long deployment, String environment, String service, JsonNode cdevent, List<DeliveryView> deliveries) {}

  /** A delivery with every attempt. {@code nextAttemptAt} is set while it is pending. */
  public record DeliveryView(long id, String event, String type, String channel, String destination,
      Long subscription, String state, int attempts, Instant nextAttemptAt, String lastError, Instant createdAt,
      Instant deliveredAt, List<AttemptView> attemptLog) {}

  public record AttemptView(int attempt, Instant at, long millis, boolean ok, String detail) {}

  /** Whether the user may read events and deliveries. */
  public boolean mayRead(String user) {
    return access.reach(user, READERS).everywhere();
  }

  private void requireReader(String user) {
    if (!mayRead(user)) {
      throw new AccessDeniedException("reading events and deliveries needs the role deployment-manager or auditor "
          + "as one's own role (events tell of every scope): a role bound to a scope is not enough");
    }
  }

  /** The events newest first: of a type prefix, of a deployment, before a sequence number; at most {@code limit}. */
  public List<EventSummary> events(String user, String type, Long deployment, Long before, int limit) {
    requireReader(user);
    return jdbc.sql("""
        select e.id, e.event_id, e.type, e.subject, e.occurred_at, e.deployment_id, e.environment, e.service,
               (select count(*) from event_deliveries d where d.event_id = e.id and d.state = 'DELIVERED') as delivered,
               (select count(*) from event_deliveries d where d.event_id = e.id and d.state = 'PENDING') as pending,
               (select count(*) from event_deliveries d where d.event_id = e.id and d.state = 'DEAD') as dead
          from outbox_events e
         where (cast(:type as varchar(200)) is null or e.type like :typePrefix)
           and (cast(:deployment as bigint) is null or e.deployment_id = :deployment)
           and (cast(:before as bigint) is null or e.id < :before)
         order by e.id desc limit :limit
        """).param("type", type).param("typePrefix", type == null ? null : escapeLike(type) + "%")
        .param("deployment", deployment).param("before", before).param("limit", limit(limit))
        .query((rs, i) -> new EventSummary(rs.getString("event_id"), rs.getLong("id"), rs.getString("type"),
            rs.getString("subject"), rs.getTimestamp("occurred_at").toInstant(),
            rs.getObject("deployment_id", Long.class), rs.getString("environment"), rs.getString("service"),
            rs.getLong("delivered"), rs.getLong("pending"), rs.getLong("dead"))).list();
  }

  /** One event by its id, with the CDEvent and every delivery's attempts. */
  public EventDetail event(String user, String id) {
    requireReader(user);
    StoredEvent e = jdbc.sql("select * from outbox_events where event_id = :id").param("id", id).query(Outbox::map)
        .optional().orElseThrow(() -> new NotFoundException("event", id));
    List<DeliveryView> views = deliveries.list(null, e.id(), MAX_LIMIT).stream().map(this::view).toList();
    return new EventDetail(e.eventId(), e.id(), e.type(), e.source(), e.subject(), e.time(), e.deployment(),
        e.environment(), e.service(), io.gantry.shared.Json.read(e.data(), JsonNode.class), views);
  }

  /** Deliveries newest first, of one state ({@code pending}, {@code delivered}, {@code dead}) or all. */
  public List<DeliveryView> deliveries(String user, String state, int limit) {
    requireReader(user);
    return deliveries.list(state(state), null, limit(limit)).stream().map(this::view).toList();
  }

  /** How many deliveries are in each state. */
  public Map<String, Long> counts(String user) {
    requireReader(user);
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    deliveries.counts().forEach((s, n) -> counts.put(s.name(), n));
    return counts;
  }

  /** Queues a dead delivery again, with a fresh budget of attempts. */
  public DeliveryView retry(String user, long id) {
    if (!access.reach(user, EnumSet.of(Role.DEPLOYMENT_MANAGER)).everywhere()) {
      throw new AccessDeniedException("queueing a delivery again needs the role deployment-manager as one's own role");
    }
    deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", String.valueOf(id)));
    if (!deliveries.requeue(id, clock.instant())) {
      throw new ConflictException("delivery " + id + " is not dead: only a dead delivery is queued again");
    }
    return view(deliveries.find(id).orElseThrow());
  }

  private DeliveryView view(Deliveries.Delivery d) {
    return new DeliveryView(d.id(), d.eventId(), d.type(), d.channel(), d.destination(), d.subscription(),
        d.state().name().toLowerCase(Locale.ROOT), d.attempts(), d.state() == Deliveries.State.PENDING
            ? d.nextAttemptAt() : null, d.lastError(), d.createdAt(), d.deliveredAt(),
        deliveries.attempts(d.id()).stream().map(a -> new AttemptView(a.attempt(), a.at(), a.millis(), a.ok(),
            a.detail())).toList());
  }

  private static Deliveries.State state(String state) {
    if (state == null || state.isBlank()) {
      return null;
    }
    try {
      return Deliveries.State.valueOf(state.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw InvalidInputException.of("state", "state is pending, delivered or dead, not \"" + state + "\"");
    }
  }

  static int limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw InvalidInputException.of("limit", "limit is 1 to " + MAX_LIMIT + ", not " + limit);
    }
    return limit;
  }

  private static String escapeLike(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
