package io.gantry.model;

import java.time.Instant;

/**
 * One version of a model, kept for good: the model text as applied (null for the version that
 * retired it), its digest, who made it, why, when, and the unified diff from the version before.
 */
public record ModelVersion(String model, int number, String text, String digest, String author, String reason,
    Instant createdAt, String diff) {}
