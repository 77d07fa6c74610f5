package io.gantry.notification;

import io.gantry.identity.Actor;
import io.gantry.identity.Users;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A user's own notification settings: the e-mail address it is told at, and its subscriptions. Every call acts on
 * the caller's own, whatever its roles: nobody manages another user's subscriptions or address.
 */
@RestController
@Tag(name = "Notifications", description = "Your e-mail address and your subscriptions to deployments")
class NotificationController {

  private final UserSubscriptions subscriptions;
  private final Users users;
  private final TransactionTemplate tx;

  NotificationController(UserSubscriptions subscriptions, Users users, TransactionTemplate tx) {
    this.subscriptions = subscriptions;
    this.users = users;
    this.tx = tx;
  }

  record Email(String email) {}

  @GetMapping("/api/v1/me/email")
  @Operation(summary = "The e-mail address your notifications go to (null: none)")
  Email email(Authentication auth) {
    return new Email(users.email(auth.getName()).orElse(null));
  }

  @PutMapping("/api/v1/me/email")
  @Operation(summary = "Set (or with null, remove) the e-mail address your notifications go to")
  Email setEmail(@RequestBody Email body, Authentication auth) {
    tx.executeWithoutResult(s -> users.setEmail(auth.getName(), body.email(),
        new Actor(auth.getName(), auth.getCredentials() instanceof Long l ? l : null)));
    return email(auth);
  }

  @GetMapping("/api/v1/me/subscriptions")
  @Operation(summary = "Your subscriptions")
  List<UserSubscriptions.Subscription> mine(Authentication auth) {
    return subscriptions.of(auth.getName());
  }

  @PostMapping("/api/v1/me/subscriptions")
  @Operation(summary = "Subscribe to the deployments of a service and/or in an environment, at some moments, by "
      + "e-mail; only to a scope you may read")
  ResponseEntity<UserSubscriptions.Subscription> subscribe(@RequestBody UserSubscriptions.NewSubscription body,
      Authentication auth) {
    return ResponseEntity.status(HttpStatus.CREATED).body(subscriptions.subscribe(auth.getName(), body));
  }

  @DeleteMapping("/api/v1/me/subscriptions/{id}")
  @Operation(summary = "Remove one of your subscriptions")
  ResponseEntity<Void> unsubscribe(@PathVariable long id, Authentication auth) {
    subscriptions.unsubscribe(auth.getName(), id);
    return ResponseEntity.noContent().build();
  }
}
