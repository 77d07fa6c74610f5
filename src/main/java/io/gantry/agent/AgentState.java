package io.gantry.agent;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Where an agent stands: waiting for a deployment manager, working for its target, or shut out for good. */
enum AgentState {
  PENDING, APPROVED, REVOKED;

  /** The one table of allowed changes: a revoked agent never comes back (it registers anew, under a new name). */
  private static final Map<AgentState, Set<AgentState>> ALLOWED = Map.of(
      PENDING, Set.of(APPROVED, REVOKED),
      APPROVED, Set.of(REVOKED),
      REVOKED, Set.of());

  boolean canBecome(AgentState next) {
    return ALLOWED.get(this).contains(next);
  }

  String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
