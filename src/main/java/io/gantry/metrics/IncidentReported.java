package io.gantry.metrics;

import java.time.Instant;

/**
 * An incident was reported ({@code at}); it may be reported already resolved. Published inside the transaction
 * that wrote it.
 */
public record IncidentReported(Incident incident, Instant at) {}
