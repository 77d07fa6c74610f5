package io.gantry.model;

import java.time.Instant;

/**
 * A stored model: its current definition (null once retired), its current version number, and its
 * row version for optimistic locking.
 */
public record DeploymentModel(long id, String name, int currentVersion, boolean retired, ModelDefinition definition,
    long rowVersion, Instant createdAt, Instant updatedAt) {}
