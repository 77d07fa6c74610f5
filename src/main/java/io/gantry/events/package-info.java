/**
 * What Gantry tells other tools and people: every event (a CloudEvent carrying a CDEvent) is written to
 * the outbox in the transaction of the state it reports ({@link io.gantry.events.Outbox}), then planned
 * into deliveries, one per destination ({@link io.gantry.events.Fanout}), and sent by a loop of its own
 * with retries, exponential backoff and a dead-letter state ({@link io.gantry.events.Sink}), so that a
 * slow or dead receiver never slows the engine, and a server that dies mid-delivery delivers after restart.
 */

package io.gantry.events;
