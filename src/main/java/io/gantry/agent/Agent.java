package io.gantry.agent;

import java.time.Instant;
import java.util.Map;

/** A registered agent as stored: never its credential, only a hash of it and a prefix to recognise it by. */
record Agent(long id, String name, AgentState state, String credentialPrefix, String target, Map<String, String> facts,
    Instant registeredAt, String registeredFrom, Instant approvedAt, String approvedBy, Instant revokedAt,
    String revokedBy, Instant lastHeardAt, long rowVersion) {}
