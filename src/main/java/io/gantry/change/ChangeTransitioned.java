package io.gantry.change;

import java.time.Instant;

/**
 * A change moved from {@code before.state()} to {@code after.state()}, by {@code actor} for {@code reason}.
 * Published inside the transaction that wrote the move.
 */
public record ChangeTransitioned(Change before, Change after, String actor, String reason, Instant at) {}
