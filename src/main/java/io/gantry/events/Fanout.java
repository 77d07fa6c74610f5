package io.gantry.events;

import java.util.List;

/**
 * Decides where an event goes. Every {@code Fanout} bean is asked once for every event, after its
 * transaction committed and off the engine's threads; the deliveries it plans are written in one
 * transaction with the mark that the event was fanned out, so each is planned exactly once.
 */
public interface Fanout {

  List<Destination> destinations(StoredEvent event);
}
