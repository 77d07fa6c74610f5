package io.gantry.identity;

import java.time.Instant;
import java.util.Set;

/** A person or a pipeline that uses Gantry, with the roles it holds. */
public record User(long id, String name, String displayName, Set<Role> roles, boolean disabled, Instant createdAt,
    long rowVersion) {}
