package io.gantry.environment;

import java.time.Instant;

/** An environment was created. Published inside the transaction that wrote it. */
public record EnvironmentCreated(Environment environment, Instant at) {}
