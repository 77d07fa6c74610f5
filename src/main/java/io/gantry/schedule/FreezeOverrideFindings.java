package io.gantry.schedule;

import io.gantry.metrics.AuditFinding;
import io.gantry.metrics.AuditFindingSource;
import io.gantry.metrics.MetricsFilter;
import io.gantry.metrics.Period;
import java.sql.Timestamp;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Audit findings of the schedule: a deployment that ran inside a freeze (an emergency change overrode it). */
@Component
class FreezeOverrideFindings implements AuditFindingSource {

  private final JdbcClient jdbc;

  FreezeOverrideFindings(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public List<AuditFinding> findings(Period period, MetricsFilter filter) {
    if (filter.team() != null) {
      return List.of();
    }
    return jdbc.sql("""
        select c.deployment_id, c.message, c.found_at, d.service, d.environment from schedule_conflicts c
          join deployments d on d.id = c.deployment_id
         where c.kind = 'FREEZE_OVERRIDDEN' and c.found_at >= :from and c.found_at < :to
           and (cast(:service as varchar) is null or d.service = :service)
           and (cast(:environment as varchar) is null or d.environment = :environment)
           and (cast(:model as varchar) is null or d.model = :model)
         order by c.found_at
        """).param("from", Timestamp.from(period.from())).param("to", Timestamp.from(period.to()))
        .param("service", filter.service()).param("environment", filter.environment()).param("model", filter.model())
        .query((rs, n) -> new AuditFinding("freeze-override", "deployment #" + rs.getLong("deployment_id"),
            rs.getString("message"), rs.getTimestamp("found_at").toInstant(), rs.getLong("deployment_id"),
            rs.getString("service"), rs.getString("environment"))).list();
  }
}
