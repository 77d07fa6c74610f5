package io.gantry.schedule;

import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** What the schedule reads from the deployments tables: placements in time, the backlog, what is deployed where. */
@Repository
class ScheduleRows {

  private static final String UNFINISHED = "state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')";

  private final JdbcClient jdbc;

  ScheduleRows(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Unfinished deployments into one environment, oldest first. */
  List<Deployment> unfinished(String environment) {
    return jdbc.sql("select * from deployments where environment = :e and " + UNFINISHED + " order by id")
        .param("e", environment).query(ScheduleRows::deployment).list();
  }

  /** Every unfinished deployment, oldest first. */
  List<Deployment> unfinished() {
    return jdbc.sql("select * from deployments where " + UNFINISHED + " order by id").query(ScheduleRows::deployment)
        .list();
  }

  /**
   * Deployments that may fall in {@code [from, to)}: every unfinished one, and the finished ones that
   * ended after {@code from} and began before {@code to}.
   */
  List<Deployment> around(Instant from, Instant to) {
    return jdbc.sql("""
        select * from deployments
         where state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
            or (finished_at >= :from and coalesce(started_at, requested_at) < :to)
         order by id
        """).param("from", Timestamp.from(from)).param("to", Timestamp.from(to)).query(ScheduleRows::deployment)
        .list();
  }

  /** The environments and components with unfinished deployments, optionally only one of each. */
  List<Place> places(String environment, ComponentRef component) {
    StringBuilder sql = new StringBuilder("select distinct environment, service, component from deployments where "
        + UNFINISHED);
    Map<String, Object> params = new LinkedHashMap<>();
    if (environment != null) {
      sql.append(" and environment = :e");
      params.put("e", environment);
    }
    if (component != null) {
      sql.append(" and service = :s and component = :c");
      params.put("s", component.service());
      params.put("c", component.component());
    }
    sql.append(" order by environment, service, component");
    return jdbc.sql(sql.toString()).params(params).query((rs, n) -> new Place(rs.getString("environment"),
        new ComponentRef(rs.getString("service"), rs.getString("component")))).list();
  }

  record Place(String environment, ComponentRef component) {}

  /**
   * What a deployment waits for now: its last WAIT entry, when nothing but conflicts and log lines came
   * after it.
   */
  Optional<DeploymentEvent> currentWait(long deployment) {
    Optional<DeploymentEvent> wait = jdbc.sql("""
        select * from deployment_events where deployment_id = :d and kind = 'WAIT' order by id desc limit 1
        """).param("d", deployment).query(ScheduleRows::event).optional();
    if (wait.isEmpty()) {
      return wait;
    }
    long later = jdbc.sql("""
        select count(*) from deployment_events where deployment_id = :d and id > :after
           and kind in ('TRANSITION', 'TARGET', 'STEP')
        """).param("d", deployment).param("after", wait.get().id()).query(Long.class).single();
    return later == 0 ? wait : Optional.empty();
  }

  /**
   * The version of a component each target of an environment runs now: the last successful deployment
   * to the target, unless that removed the component.
   */
  Map<String, String> deployedVersions(String environment, ComponentRef component) {
    Map<String, String> out = new LinkedHashMap<>();
    jdbc.sql("""
        select r.target, d.version, d.kind from target_runs r join deployments d on d.id = r.deployment_id
         where d.environment = :e and d.service = :s and d.component = :c
           and r.state = 'SUCCEEDED' and d.state = 'SUCCEEDED'
         order by d.id
        """).param("e", environment).param("s", component.service()).param("c", component.component())
        .query((rs, n) -> {
          if (Deployment.Kind.UNDEPLOY.name().equals(rs.getString("kind"))) {
            out.remove(rs.getString("target"));
          } else {
            out.put(rs.getString("target"), rs.getString("version"));
          }
          return n;
        }).list();
    return out;
  }

  static Deployment deployment(ResultSet rs, int row) throws SQLException {
    return new Deployment(rs.getLong("id"), new ComponentRef(rs.getString("service"), rs.getString("component")),
        rs.getString("version"), rs.getString("environment"), rs.getString("model"), rs.getInt("model_version"),
        rs.getString("stage"), DeploymentState.valueOf(rs.getString("state")), rs.getString("requested_by"),
        Freezes.instant(rs, "requested_at"), rs.getString("reason"), Freezes.instant(rs, "started_at"),
        Freezes.instant(rs, "finished_at"), rs.getString("outcome"), Deployment.Kind.valueOf(rs.getString("kind")),
        Freezes.instant(rs, "planned_start"), Freezes.instant(rs, "planned_end"), rs.getInt("priority"),
        rs.getLong("row_version"));
  }

  static DeploymentEvent event(ResultSet rs, int row) throws SQLException {
    String waiting = rs.getString("waiting_for");
    return new DeploymentEvent(rs.getLong("id"), rs.getLong("deployment_id"), Freezes.instant(rs, "at"),
        DeploymentEvent.Kind.valueOf(rs.getString("kind")), null, null, rs.getString("target"), rs.getString("step"),
        rs.getString("actor"), rs.getString("message"),
        waiting == null ? null : DeploymentEvent.WaitKind.valueOf(waiting));
  }
}
