package io.gantry.metrics;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the measurement records hold of a period's flow of work: the deployments that ended in it (and how many
 * carry value stream data or were reported from outside), and the incidents detected in it (and how many are
 * related to a deployment). Read by the capability assessment.
 */
@Component
public class FlowRecords {

  private final JdbcClient jdbc;

  public FlowRecords(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The period's figures.
   *
   * @param ended the ids of the deployments that ended in the period, cancelled ones not counted
   * @param withValueStream how many of them carry value stream data (process and waiting time by activity)
   * @param external how many of them were deployed by another tool and reported to Gantry
   * @param incidents incidents detected in the period
   * @param incidentsRelated how many of them are related to a deployment
   */
  public record Flow(List<Long> ended, long withValueStream, long external, long incidents, long incidentsRelated) {

    public Flow {
      ended = List.copyOf(ended);
    }
  }

  /** The figures of {@code from} (inclusive) to {@code to} (exclusive). */
  public Flow between(Instant from, Instant to) {
    Timestamp f = Timestamp.from(from);
    Timestamp t = Timestamp.from(to);
    List<Long> ended = jdbc.sql("""
        select deployment_id from metrics_deployment_facts
         where finished_at >= :from and finished_at < :to and state <> 'CANCELLED' order by deployment_id
        """).param("from", f).param("to", t).query(Long.class).list();
    Map<String, Object> facts = jdbc.sql("""
        select count(process_seconds) as vsm, sum(case when kind = 'EXTERNAL' then 1 else 0 end) as external
          from metrics_deployment_facts
         where finished_at >= :from and finished_at < :to and state <> 'CANCELLED'
        """).param("from", f).param("to", t).query().singleRow();
    Map<String, Object> incidents = jdbc.sql("""
        select count(*) as n, count(deployment_id) as related from incidents
         where detected_at >= :from and detected_at < :to
        """).param("from", f).param("to", t).query().singleRow();
    return new Flow(ended, Scope.count(facts.get("vsm")), Scope.count(facts.get("external")),
        Scope.count(incidents.get("n")), Scope.count(incidents.get("related")));
  }
}
