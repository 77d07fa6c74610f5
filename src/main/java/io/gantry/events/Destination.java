package io.gantry.events;

import java.util.Map;
import java.util.Objects;

/**
 * Where one event goes: a channel a {@link Sink} sends over ({@code http}, {@code file}, {@code amqp},
 * {@code email}, {@code slack}, {@code teams}, {@code webhook}), its address on that channel, and what the sink
 * needs besides (e.g. {@code mode}, {@code secret}, recipients), all text.
 *
 * @param subscription the subscription that asked for it, or null
 */
public record Destination(String channel, Long subscription, String address, Map<String, String> settings) {

  public Destination {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(address, "address");
    settings = settings == null ? Map.of() : Map.copyOf(settings);
  }
}
