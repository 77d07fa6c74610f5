package io.gantry.events;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The events Gantry wrote, where each went and every attempt ({@link EventLog}), and the subscriptions. Deployment
 * managers and auditors read them; deployment managers manage subscriptions and queue dead deliveries again.
 */
@RestController
@Tag(name = "Events", description = "CDEvents written to the outbox, their deliveries, and subscriptions")
class EventController {

  private final EventLog log;
  private final Subscriptions subscriptions;

  EventController(EventLog log, Subscriptions subscriptions) {
    this.log = log;
    this.subscriptions = subscriptions;
  }

  @GetMapping("/api/v1/events")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "The events written, newest first: filter by type prefix, deployment; page with before")
  List<EventLog.EventSummary> events(@RequestParam(required = false) String type,
      @RequestParam(required = false) Long deployment, @RequestParam(required = false) Long before,
      @RequestParam(defaultValue = "50") int limit, Principal principal) {
    return log.events(principal.getName(), type, deployment, before, limit);
  }

  @GetMapping("/api/v1/events/{id}")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "One event (by its id) with the CDEvent and every delivery's attempts")
  EventLog.EventDetail event(@PathVariable String id, Principal principal) {
    return log.event(principal.getName(), id);
  }

  @GetMapping("/api/v1/deliveries")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "Deliveries newest first, of one state (pending, delivered, dead) or all")
  List<EventLog.DeliveryView> deliveries(@RequestParam(required = false) String state,
      @RequestParam(defaultValue = "50") int limit, Principal principal) {
    return log.deliveries(principal.getName(), state, limit);
  }

  record Counts(Map<String, Long> deliveries) {}

  @GetMapping("/api/v1/deliveries/counts")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "How many deliveries are pending, delivered and dead")
  Counts counts(Principal principal) {
    return new Counts(log.counts(principal.getName()));
  }

  @PostMapping("/api/v1/deliveries/{id}/retry")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Queue a dead delivery again, with a fresh budget of attempts")
  EventLog.DeliveryView retry(@PathVariable long id, Principal principal) {
    return log.retry(principal.getName(), id);
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
}
