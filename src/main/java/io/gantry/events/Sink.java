package io.gantry.events;

/**
 * Sends events over one channel. A send that throws is tried again later with backoff, until the
 * attempts run out (then the delivery is dead); a {@link DeliveryFailure} that is not retryable ends it at once.
 * A send may be repeated after a crash (at least once): receivers drop duplicates by the event id.
 */
public interface Sink {

  /** The channel it sends over, as {@link Destination#channel()} names it. */
  String channel();

  /** Sends the event to the destination; returns a short note of what the receiver answered. */
  String send(StoredEvent event, Destination destination) throws Exception;
}
