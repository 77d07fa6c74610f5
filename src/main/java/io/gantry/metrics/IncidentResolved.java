package io.gantry.metrics;

import java.time.Instant;

/** An open incident was resolved (recorded at {@code at}). Published inside the transaction that wrote it. */
public record IncidentResolved(Incident incident, Instant at) {}
