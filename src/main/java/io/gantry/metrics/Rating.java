package io.gantry.metrics;

import java.time.Instant;

/**
 * A requester's rating of a finished deployment: 1 (poor) to 5 (excellent) for lead time, for quality and,
 * optionally (null when not given), for the rate of change (whether deployments come as often as needed).
 */
public record Rating(long id, long deployment, String ratedBy, int leadTime, int quality, Integer rateOfChange,
    String comment, Instant ratedAt) {}
