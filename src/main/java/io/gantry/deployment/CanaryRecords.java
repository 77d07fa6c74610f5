package io.gantry.deployment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The record of a canary deployment's analysis: when it started and ended, and each round of checks
 * with how many of its results passed. A round is written once, when it ends; its key (deployment,
 * round) keeps a second engine from writing it again.
 */
final class CanaryRecords {

  /** The analysis of one deployment; {@code passed} and {@code endedAt} once it has ended. */
  record Analysis(long deployment, Instant startedAt, Instant endedAt, Boolean passed, String outcome) {}

  /** One round: when its checks started, how many of its results passed of how many, and each result. */
  record Round(long deployment, int round, Instant startedAt, int passed, int total, String results) {}

  /**
   * One query of a metric in a round: the query as sent, what Prometheus answered ({@code answer}), the time
   * of its numbers, the verdict (PASSED, FAILED, INCONCLUSIVE), whether it counted as passed, and why.
   */
  record Measurement(long deployment, int round, int metricNo, String metric, String query, String answer,
      Instant sampledAt, Instant measuredAt, String verdict, boolean countedPassed, String reason) {}

  private final JdbcClient jdbc;

  CanaryRecords(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<Analysis> analysis(long deployment) {
    return jdbc.sql("select * from canary_analyses where deployment_id = :d").param("d", deployment)
        .query((rs, n) -> new Analysis(rs.getLong("deployment_id"), instant(rs, "started_at"),
            instant(rs, "ended_at"), rs.getObject("passed") == null ? null : rs.getBoolean("passed"),
            rs.getString("outcome"))).optional();
  }

  void start(long deployment, Instant now) {
    jdbc.sql("insert into canary_analyses (deployment_id, started_at) values (:d, :now)").param("d", deployment)
        .param("now", Timestamp.from(now)).update();
  }

  /** Ends the analysis: only once (an analysis that has ended is not ended again). */
  void end(long deployment, boolean passed, String outcome, Instant now) {
    int rows = jdbc.sql("""
        update canary_analyses set ended_at = :now, passed = :passed, outcome = :outcome
         where deployment_id = :d and ended_at is null
        """).param("now", Timestamp.from(now)).param("passed", passed).param("outcome", cut(outcome))
        .param("d", deployment).update();
    if (rows == 0) {
      throw new IllegalStateException("the canary analysis of deployment " + deployment + " has already ended");
    }
  }

  void addRound(Round r) {
    jdbc.sql("""
        insert into canary_rounds (deployment_id, round_no, started_at, passed, total, results)
        values (:d, :round, :at, :passed, :total, :results)
        """).param("d", r.deployment()).param("round", r.round()).param("at", Timestamp.from(r.startedAt()))
        .param("passed", r.passed()).param("total", r.total()).param("results", cut(r.results())).update();
  }

  void addMeasurement(Measurement m) {
    jdbc.sql("""
        insert into analysis_measurements (deployment_id, round_no, metric_no, metric, query, answer, sampled_at,
          measured_at, verdict, counted_passed, reason)
        values (:d, :round, :no, :metric, :query, :answer, :sampled, :measured, :verdict, :counted, :reason)
        """).param("d", m.deployment()).param("round", m.round()).param("no", m.metricNo())
        .param("metric", m.metric()).param("query", cut(m.query())).param("answer", cut(m.answer()))
        .param("sampled", m.sampledAt() == null ? null : Timestamp.from(m.sampledAt()), java.sql.Types.TIMESTAMP)
        .param("measured", Timestamp.from(m.measuredAt())).param("verdict", m.verdict())
        .param("counted", m.countedPassed()).param("reason", cut(m.reason())).update();
  }

  /** The measurements of a deployment's analysis, by round and metric. */
  List<Measurement> measurements(long deployment) {
    return jdbc.sql("select * from analysis_measurements where deployment_id = :d order by round_no, metric_no")
        .param("d", deployment).query((rs, n) -> new Measurement(rs.getLong("deployment_id"), rs.getInt("round_no"),
            rs.getInt("metric_no"), rs.getString("metric"), rs.getString("query"), rs.getString("answer"),
            instant(rs, "sampled_at"), instant(rs, "measured_at"), rs.getString("verdict"),
            rs.getBoolean("counted_passed"), rs.getString("reason"))).list();
  }

  List<Round> rounds(long deployment) {
    return jdbc.sql("select * from canary_rounds where deployment_id = :d order by round_no").param("d", deployment)
        .query((rs, n) -> new Round(rs.getLong("deployment_id"), rs.getInt("round_no"), instant(rs, "started_at"),
            rs.getInt("passed"), rs.getInt("total"), rs.getString("results"))).list();
  }

  private static String cut(String text) {
    return text == null || text.length() <= 4000 ? text : text.substring(0, 3997) + "...";
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.MICROS);
  }
}
