package io.gantry.metrics;

import java.time.Instant;

/** A requester's rating of a finished deployment: 1 (poor) to 5 (excellent) for lead time and for quality. */
public record Rating(long id, long deployment, String ratedBy, int leadTime, int quality, String comment,
    Instant ratedAt) {}
