package io.gantry.metrics;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The deployments a period report covers, as SQL: those that ended (reached a final state) within
 * the period and match the filter. A deployment belongs wholly to the period in which it ended, even
 * when it was requested before the period started.
 */
final class Scope {

  final Period period;
  final MetricsFilter filter;

  Scope(Period period, MetricsFilter filter) {
    this.period = period;
    this.filter = filter == null ? MetricsFilter.NONE : filter;
  }

  /** Deployments (alias {@code d}) that ended in the period and match the filter. */
  String ended() {
    return ended("d");
  }

  String ended(String d) {
    return d + ".finished_at >= :from and " + d + ".finished_at < :to" + matches(d);
  }

  /** The filter's conditions on deployments of alias {@code d}, each starting with " and". */
  String matches(String d) {
    StringBuilder sql = new StringBuilder();
    if (filter.service() != null) {
      sql.append(" and ").append(d).append(".service = :service");
    }
    if (filter.environment() != null) {
      sql.append(" and ").append(d).append(".environment = :environment");
    }
    if (filter.model() != null) {
      sql.append(" and ").append(d).append(".model = :model");
    }
    if (filter.team() != null) {
      sql.append(" and ").append(d).append(".service in (select t.name from services t where t.owner = :team)");
    }
    if (filter.external() != MetricsFilter.External.INCLUDE) {
      // deployments and their facts say their kind; a wait row is about the deployment of its facts
      String kind = d.equals("w") ? "(select k.kind from metrics_deployment_facts k where k.deployment_id = "
          + "w.deployment_id)" : d + ".kind";
      sql.append(" and ").append(kind)
          .append(filter.external() == MetricsFilter.External.ONLY ? " = 'EXTERNAL'" : " <> 'EXTERNAL'");
    }
    return sql.toString();
  }

  Map<String, Object> params() {
    Map<String, Object> params = new HashMap<>();
    params.put("from", Timestamp.from(period.from()));
    params.put("to", Timestamp.from(period.to()));
    if (filter.service() != null) {
      params.put("service", filter.service());
    }
    if (filter.environment() != null) {
      params.put("environment", filter.environment());
    }
    if (filter.model() != null) {
      params.put("model", filter.model());
    }
    if (filter.team() != null) {
      params.put("team", filter.team());
    }
    return params;
  }

  /**
   * A condition that the environment of deployments of alias {@code d} is a production environment,
   * with the names of today's production environments written in: cheaper for the database than a
   * join on every row.
   */
  static String production(JdbcClient jdbc, String d) {
    return production(productionEnvironments(jdbc), d);
  }

  static String production(List<String> names, String d) {
    if (names.isEmpty()) {
      // false for every row, but not a constant: H2 folds "case when 1 = 0 then x end" into an untyped
      // null, and then refuses avg() of it
      return d + ".environment <> " + d + ".environment";
    }
    return d + ".environment in (" + names.stream().map(n -> "'" + n.replace("'", "''") + "'")
        .collect(java.util.stream.Collectors.joining(", ")) + ")";
  }

  static List<String> productionEnvironments(JdbcClient jdbc) {
    return jdbc.sql("select name from environments where purpose = 'production' order by name")
        .query(String.class).list();
  }

  /** Seconds since the epoch of a timestamp expression, in SQL both databases accept. */
  static String epoch(String expression) {
    return "extract(epoch from " + expression + ")";
  }

  /**
   * Refuses filter values that name nothing: a service, environment or model neither configured nor
   * found in any deployment's record, or a team that owns no service.
   */
  static void validate(JdbcClient jdbc, MetricsFilter filter) {
    List<Finding> findings = new ArrayList<>();
    if (filter.service() != null && !known(jdbc, "services", "service", filter.service())) {
      findings.add(Finding.of("service", "\"" + filter.service() + "\" is not a service"));
    }
    if (filter.environment() != null && !known(jdbc, "environments", "environment", filter.environment())) {
      findings.add(Finding.of("environment", "\"" + filter.environment() + "\" is not an environment"));
    }
    if (filter.model() != null && !known(jdbc, "deployment_models", "model", filter.model())) {
      findings.add(Finding.of("model", "\"" + filter.model() + "\" is not a deployment model"));
    }
    if (filter.team() != null && jdbc.sql("select count(*) from services where owner = :team")
        .param("team", filter.team()).query(Long.class).single() == 0) {
      findings.add(Finding.of("team", "\"" + filter.team() + "\" owns no service (a team is a service's owner)"));
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("unknown filter value: " + findings.getFirst(), findings);
    }
  }

  private static boolean known(JdbcClient jdbc, String table, String column, String name) {
    if (jdbc.sql("select count(*) from " + table + " where name = :name").param("name", name)
        .query(Long.class).single() > 0) {
      return true;
    }
    // removed from the configuration since, but still in the records
    return jdbc.sql("select 1 from deployments where " + column + " = :name limit 1").param("name", name)
        .query(Integer.class).optional().isPresent();
  }

  static Double round(Double value, int decimals) {
    if (value == null || value.isNaN()) {
      return null;
    }
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  /** {@code part / whole} as a percentage with one decimal, or null when there is no whole. */
  static Double percent(long part, long whole) {
    return whole == 0 ? null : round(100.0 * part / whole, 1);
  }

  static Double number(Object value) {
    return value == null ? null : ((Number) value).doubleValue();
  }

  static long count(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
