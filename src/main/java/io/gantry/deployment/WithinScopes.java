package io.gantry.deployment;

import io.gantry.identity.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The SQL condition that keeps deployments inside a reader's scopes: any one scope, whole. */
final class WithinScopes {

  private WithinScopes() {}

  /**
   * {@code (scope1 or scope2 ...)} over the columns {@code service} and {@code environment} of {@code alias}
   * (empty, or ending in a dot), with its parameters put in {@code params}; no scope at all matches nothing.
   */
  static String condition(List<Scope> scopes, String alias, Map<String, Object> params) {
    List<String> any = new ArrayList<>();
    for (int i = 0; i < scopes.size(); i++) {
      Scope s = scopes.get(i);
      List<String> parts = new ArrayList<>();
      if (s.service() != null) {
        parts.add(alias + "service = :within_service_" + i);
        params.put("within_service_" + i, s.service());
      }
      if (s.environment() != null) {
        parts.add(alias + "environment = :within_environment_" + i);
        params.put("within_environment_" + i, s.environment());
      }
      any.add(parts.isEmpty() ? "1 = 1" : "(" + String.join(" and ", parts) + ")");
    }
    return "(" + (any.isEmpty() ? "1 = 0" : String.join(" or ", any)) + ")";
  }
}
