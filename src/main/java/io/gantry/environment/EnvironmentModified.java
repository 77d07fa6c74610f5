package io.gantry.environment;

import java.time.Instant;

/** An environment's definition was changed. Published inside the transaction that wrote it. */
public record EnvironmentModified(Environment environment, Instant at) {}
