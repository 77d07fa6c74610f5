package io.gantry.identity;

import java.time.Instant;
import java.util.Set;

/**
 * A person or a pipeline that uses Gantry, with the roles it holds; {@code createdBy} is null for
 * users made before it was recorded.
 */
public record User(long id, String name, String displayName, Set<Role> roles, boolean disabled, Instant createdAt,
    String createdBy, long rowVersion) {}
