package io.gantry.change;

import java.time.Instant;

/** A change was recorded (state NEW). Published inside the transaction that wrote it. */
public record ChangeCreated(Change change, Instant at) {}
