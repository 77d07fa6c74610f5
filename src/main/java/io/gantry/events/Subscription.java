package io.gantry.events;

import java.time.Instant;
import java.util.List;

/**
 * A standing order to send events of some types to a receiver: an HTTP endpoint ({@code http}: CloudEvents in
 * {@code structured} or {@code binary} mode, signed with the named secret) or a RabbitMQ exchange ({@code amqp}).
 *
 * @param types type patterns: an exact CDEvents type, or a prefix ending in {@code *}; empty means every type
 * @param exchange the exchange an amqp subscription publishes to; null for other sinks
 */
public record Subscription(long id, String name, String sink, String address, String mode, List<String> types,
    String secret, String exchange, String createdBy, Instant createdAt) {

  /** Whether an event of this type goes to the subscription. */
  public boolean wants(String type) {
    if (types.isEmpty()) {
      return true;
    }
    for (String pattern : types) {
      if (pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : type.equals(pattern)) {
        return true;
      }
    }
    return false;
  }
}
