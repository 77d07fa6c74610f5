package io.gantry.events;

import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The events Gantry wrote, where each went and every attempt, and the subscriptions. Events tell of every scope and
 * deliveries name receivers, so deployment managers and auditors read them; deployment managers manage
 * subscriptions and queue dead deliveries again.
 */
@RestController
@Tag(name = "Events", description = "CDEvents written to the outbox, their deliveries, and subscriptions")
class EventController {

  private static final int MAX_LIMIT = 500;

  private final JdbcClient jdbc;
  private final Deliveries deliveries;
  private final Subscriptions subscriptions;
  private final Clock clock;

  EventController(JdbcClient jdbc, Deliveries deliveries, Subscriptions subscriptions, Clock clock) {
    this.jdbc = jdbc;
    this.deliveries = deliveries;
    this.subscriptions = subscriptions;
    this.clock = clock;
  }

  /** An event in a list, with how its deliveries stand. */
  record EventSummary(String id, long sequence, String type, String subject, Instant time, Long deployment,
      String environment, String service, long delivered, long pending, long dead) {}

  /** An event with the CDEvent itself and its deliveries. */
  record EventDetail(String id, long sequence, String type, String source, String subject, Instant time,
      Long deployment, String environment, String service, JsonNode cdevent, List<DeliveryView> deliveries) {}

  record DeliveryView(long id, String event, String type, String channel, String destination, Long subscription,
      String state, int attempts, Instant nextAttemptAt, String lastError, Instant createdAt, Instant deliveredAt,
      List<Deliveries.Attempt> attemptLog) {}

  @GetMapping("/api/v1/events")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "The events written, newest first: filter by type prefix, deployment; page with before")
  List<EventSummary> events(@RequestParam(required = false) String type, @RequestParam(required = false) Long deployment,
      @RequestParam(required = false) Long before, @RequestParam(defaultValue = "50") int limit) {
    int n = limit(limit);
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
        .param("deployment", deployment).param("before", before).param("limit", n)
        .query((rs, i) -> new EventSummary(rs.getString("event_id"), rs.getLong("id"), rs.getString("type"),
            rs.getString("subject"), rs.getTimestamp("occurred_at").toInstant(),
            rs.getObject("deployment_id", Long.class), rs.getString("environment"), rs.getString("service"),
            rs.getLong("delivered"), rs.getLong("pending"), rs.getLong("dead"))).list();
  }

  @GetMapping("/api/v1/events/{id}")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "One event (by its id) with the CDEvent and every delivery's attempts")
  EventDetail event(@PathVariable String id) {
    StoredEvent e = jdbc.sql("select * from outbox_events where event_id = :id").param("id", id).query(Outbox::map)
        .optional().orElseThrow(() -> new NotFoundException("event", id));
    List<DeliveryView> views = deliveries.list(null, e.id(), MAX_LIMIT).stream().map(this::view).toList();
    return new EventDetail(e.eventId(), e.id(), e.type(), e.source(), e.subject(), e.time(), e.deployment(),
        e.environment(), e.service(), io.gantry.shared.Json.read(e.data(), JsonNode.class), views);
  }

  @GetMapping("/api/v1/deliveries")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "Deliveries newest first, of one state (pending, delivered, dead) or all")
  List<DeliveryView> deliveries(@RequestParam(required = false) String state,
      @RequestParam(defaultValue = "50") int limit) {
    Deliveries.State s = null;
    if (state != null) {
      try {
        s = Deliveries.State.valueOf(state.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw InvalidInputException.of("state", "state is pending, delivered or dead, not \"" + state + "\"");
      }
    }
    return deliveries.list(s, null, limit(limit)).stream().map(this::view).toList();
  }

  record Counts(Map<Deliveries.State, Long> deliveries) {}

  @GetMapping("/api/v1/deliveries/counts")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "How many deliveries are pending, delivered and dead")
  Counts counts() {
    return new Counts(deliveries.counts());
  }

  @PostMapping("/api/v1/deliveries/{id}/retry")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Queue a dead delivery again, with a fresh budget of attempts")
  DeliveryView retry(@PathVariable long id) {
    deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", String.valueOf(id)));
    if (!deliveries.requeue(id, clock.instant())) {
      throw new io.gantry.shared.ConflictException("delivery " + id + " is not dead: only a dead delivery is queued "
          + "again");
    }
    return view(deliveries.find(id).orElseThrow());
  }

  @GetMapping("/api/v1/subscriptions")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "The subscriptions")
  List<Subscription> subscriptions() {
    return subscriptions.list();
  }

  @PostMapping("/api/v1/subscriptions")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Subscribe a receiver (http or amqp) to events of some types")
  ResponseEntity<Subscription> subscribe(@RequestBody Subscriptions.NewSubscription body, Principal principal) {
    return ResponseEntity.status(HttpStatus.CREATED).body(subscriptions.add(body, principal.getName()));
  }

  @DeleteMapping("/api/v1/subscriptions/{name}")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Remove a subscription; deliveries already planned are still sent")
  ResponseEntity<Void> unsubscribe(@PathVariable String name) {
    subscriptions.remove(name);
    return ResponseEntity.noContent().build();
  }

  private DeliveryView view(Deliveries.Delivery d) {
    return new DeliveryView(d.id(), d.eventId(), d.type(), d.channel(), d.destination(), d.subscription(),
        d.state().name().toLowerCase(Locale.ROOT), d.attempts(), d.state() == Deliveries.State.PENDING
            ? d.nextAttemptAt() : null, d.lastError(), d.createdAt(), d.deliveredAt(), deliveries.attempts(d.id()));
  }

  private static int limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw InvalidInputException.of("limit", "limit is 1 to " + MAX_LIMIT + ", not " + limit);
    }
    return limit;
  }

  private static String escapeLike(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
