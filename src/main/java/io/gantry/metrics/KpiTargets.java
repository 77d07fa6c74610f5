package io.gantry.metrics;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The KPI targets: one per KPI and scope, set (created or replaced) and removed. */
@Repository
class KpiTargets {

  static final List<String> COMPARISONS = List.of("at-least", "at-most");

  private final JdbcClient jdbc;
  private final Clock clock;

  KpiTargets(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * Sets the target of {@code kpi} in the scope, replacing the one there was; everything is checked first, and
   * a refusal names each field that is wrong.
   */
  KpiTarget set(String kpi, String service, String environment, String comparison, Double value, String actor) {
    List<Finding> findings = new ArrayList<>();
    Kpi k = null;
    try {
      k = Kpi.fromId("kpi", kpi);
    } catch (InvalidInputException e) {
      findings.addAll(e.findings());
    }
    String c = comparison == null ? "" : comparison.strip().toLowerCase(Locale.ROOT);
    if (!COMPARISONS.contains(c)) {
      findings.add(Finding.of("comparison", "\"" + (comparison == null ? "" : comparison) + "\" is not a comparison; "
          + "use at-least or at-most"));
    }
    if (value == null || value.isNaN() || value.isInfinite()) {
      findings.add(Finding.of("value", "the target needs a value"));
    } else if (k != null && !k.unit().allows(value)) {
      findings.add(Finding.of("value", "a target of " + k.id() + " is " + k.unit().range() + ", not " + value));
    }
    MetricsFilter scope = new MetricsFilter(service, environment, null, null);
    if (k != null && k.organizationWide() && (scope.service() != null || scope.environment() != null)) {
      findings.add(Finding.of(scope.service() != null ? "service" : "environment", k.id() + " is asked of the whole "
          + "organization: its target has no service or environment"));
    } else {
      try {
        Scope.validate(jdbc, scope);
      } catch (InvalidInputException e) {
        findings.addAll(e.findings());
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the target was not set: " + findings.getFirst(), findings);
    }
    String key = key(scope.service(), scope.environment());
    Timestamp now = Timestamp.from(clock.instant());
    int changed = jdbc.sql("""
        update kpi_targets set comparison = :c, target_value = :v, set_by = :by, set_at = :now
         where kpi = :kpi and scope_key = :key
        """).param("c", c).param("v", value).param("by", actor).param("now", now).param("kpi", k.id())
        .param("key", key).update();
    if (changed == 0) {
      jdbc.sql("""
          insert into kpi_targets (kpi, service, environment, scope_key, comparison, target_value, set_by, set_at)
          values (:kpi, :s, :e, :key, :c, :v, :by, :now)
          """).param("kpi", k.id()).param("s", scope.service()).param("e", scope.environment()).param("key", key)
          .param("c", c).param("v", value).param("by", actor).param("now", now).update();
    }
    return find(k.id(), scope.service(), scope.environment()).orElseThrow();
  }

  /** Removes the target of {@code kpi} in the scope; refused when there is none. */
  KpiTarget remove(String kpi, String service, String environment) {
    MetricsFilter scope = new MetricsFilter(service, environment, null, null);
    Kpi k = Kpi.fromId("kpi", kpi);
    KpiTarget target = find(k.id(), scope.service(), scope.environment()).orElseThrow(() -> new NotFoundException(
        "KPI target", k.id() + " for " + scopeText(scope.service(), scope.environment())));
    jdbc.sql("delete from kpi_targets where id = :id").param("id", target.id()).update();
    return target;
  }

  java.util.Optional<KpiTarget> find(String kpi, String service, String environment) {
    return jdbc.sql("select * from kpi_targets where kpi = :kpi and scope_key = :key").param("kpi", kpi)
        .param("key", key(service, environment)).query(KpiTargets::row).optional();
  }

  /** Every target, by KPI and scope. */
  List<KpiTarget> all() {
    return jdbc.sql("select * from kpi_targets order by kpi, scope_key").query(KpiTargets::row).list();
  }

  static String key(String service, String environment) {
    return (service == null ? "" : service) + "|" + (environment == null ? "" : environment);
  }

  static String scopeText(String service, String environment) {
    if (service == null && environment == null) {
      return "all";
    }
    return (service == null ? "" : "service " + service) + (service != null && environment != null ? " in " : "")
        + (environment == null ? "" : "environment " + environment);
  }

  private static KpiTarget row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new KpiTarget(rs.getLong("id"), rs.getString("kpi"), rs.getString("service"), rs.getString("environment"),
        rs.getString("comparison"), rs.getDouble("target_value"), rs.getString("set_by"),
        rs.getTimestamp("set_at").toInstant());
  }
}
