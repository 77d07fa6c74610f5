package io.gantry.change;

import java.time.Instant;

/** The post-implementation review of a closed change. */
public record Review(long change, String reviewer, String summary, String followUps, Instant at) {}
