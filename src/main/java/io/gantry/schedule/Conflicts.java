package io.gantry.schedule;

import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.Deployments;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Conflicts found among deployments. Each is kept once per deployment and other side, and also written
 * into the deployment's record as a CONFLICT entry, so the record alone tells the whole story.
 */
@Repository
class Conflicts {

  private final JdbcClient jdbc;
  private final Deployments deployments;

  Conflicts(JdbcClient jdbc, Deployments deployments) {
    this.jdbc = jdbc;
    this.deployments = deployments;
  }

  /** How many conflicts of the kind are recorded for the deployment. */
  long count(long deployment, Conflict.Kind kind) {
    return jdbc.sql("select count(*) from schedule_conflicts where deployment_id = :d and kind = :kind")
        .param("d", deployment).param("kind", kind.name()).query(Long.class).single();
  }

  /** Records a conflict unless the same one (kind and other side) was recorded before; says whether it was new. */
  boolean record(long deployment, Conflict.Found found, Instant now) {
    int added = jdbc.sql("""
        insert into schedule_conflicts (deployment_id, kind, subject, other_deployment_id, freeze_id, message, found_at)
        select cast(:d as bigint), cast(:kind as varchar(20)), cast(:subject as varchar(200)),
               cast(:other as bigint), cast(:freeze as bigint), cast(:message as varchar(4000)),
               cast(:now as timestamp with time zone)
          from (values (1)) one
         where not exists (select 1 from schedule_conflicts where deployment_id = :d and kind = :kind
                                                              and subject = :subject)
        """).param("d", deployment).param("kind", found.kind().name()).param("subject", found.subject())
        .param("other", found.otherDeployment()).param("freeze", found.freeze())
        .param("message", truncate(found.message())).param("now", Timestamp.from(now)).update();
    if (added == 0) {
      return false;
    }
    deployments.record(deployment, DeploymentEvent.Kind.CONFLICT, null, null, "gantry", found.message(), now);
    return true;
  }

  List<Conflict> of(long deployment) {
    return jdbc.sql("select * from schedule_conflicts where deployment_id = :d order by id").param("d", deployment)
        .query(Conflicts::map).list();
  }

  /** The conflicts of these deployments, in the order found. */
  List<Conflict> of(Collection<Long> deploymentIds) {
    List<Long> ids = List.copyOf(deploymentIds);
    List<Conflict> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += 500) {
      out.addAll(jdbc.sql("select * from schedule_conflicts where deployment_id in (:ids) order by id")
          .param("ids", ids.subList(i, Math.min(ids.size(), i + 500))).query(Conflicts::map).list());
    }
    out.sort(java.util.Comparator.comparing(Conflict::id));
    return out;
  }

  static Conflict map(ResultSet rs, int row) throws SQLException {
    long other = rs.getLong("other_deployment_id");
    Long otherId = rs.wasNull() ? null : other;
    long freeze = rs.getLong("freeze_id");
    Long freezeId = rs.wasNull() ? null : freeze;
    return new Conflict(rs.getLong("id"), rs.getLong("deployment_id"), Conflict.Kind.valueOf(rs.getString("kind")),
        rs.getString("subject"), otherId, freezeId, rs.getString("message"), Freezes.instant(rs, "found_at"));
  }

  private static String truncate(String message) {
    return message.length() <= 4000 ? message : message.substring(0, 3997) + "...";
  }
}
