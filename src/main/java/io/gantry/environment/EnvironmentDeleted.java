package io.gantry.environment;

import java.time.Instant;

/** An environment was deleted. Published inside the transaction that deleted it. */
public record EnvironmentDeleted(String name, Instant at) {}
