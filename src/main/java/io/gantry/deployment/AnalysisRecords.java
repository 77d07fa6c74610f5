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
 * The record of a deployment's analyses: when each started and ended, each round with how many of its
 * results passed, and each measurement of a metric. An analysis is named by its scope within the deployment:
 * {@link #CANARY}, {@link #VERIFICATION}, or {@link #idleSlot} of one target. A round is written once, when it
 * ends; its key (deployment, scope, round) keeps a second engine from writing it again.
 */
final class AnalysisRecords {

  /** The canary's analysis, before the rest of the targets follow. */
  static final String CANARY = "canary";
  /** The stage's verification analysis, after every target took the version and passed its acceptance. */
  static final String VERIFICATION = "verification";
  private static final String IDLE_SLOT = "switch:";

  /** The analysis of one target's idle slot before a blue-green switch. */
  static String idleSlot(String target) {
    return IDLE_SLOT + target;
  }

  /** The target of an idle slot's scope; null for another scope. */
  static String targetOf(String scope) {
    return scope.startsWith(IDLE_SLOT) ? scope.substring(IDLE_SLOT.length()) : null;
  }

  /** One analysis of a deployment; {@code passed} and {@code endedAt} once it has ended. */
  record Analysis(long deployment, String scope, Instant startedAt, Instant endedAt, Boolean passed,
      String outcome) {}

  /** One round: when its checks started, how many of its results passed of how many, and each result. */
  record Round(long deployment, String scope, int round, Instant startedAt, int passed, int total, String results) {}

  /**
   * One query of a metric in a round: the query as sent, what Prometheus answered ({@code answer}), the time
   * of its numbers, the verdict (PASSED, FAILED, INCONCLUSIVE), whether it counted as passed, and why.
   */
  record Measurement(long deployment, String scope, int round, int metricNo, String metric, String query,
      String answer, Instant sampledAt, Instant measuredAt, String verdict, boolean countedPassed, String reason) {}

  private final JdbcClient jdbc;

  AnalysisRecords(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<Analysis> analysis(long deployment, String scope) {
    return jdbc.sql("select * from analyses where deployment_id = :d and scope = :s").param("d", deployment)
        .param("s", scope).query(AnalysisRecords::analysis).optional();
  }

  /** Every analysis of the deployment, in the order they started. */
  List<Analysis> analyses(long deployment) {
    return jdbc.sql("select * from analyses where deployment_id = :d order by started_at, scope")
        .param("d", deployment).query(AnalysisRecords::analysis).list();
  }

  void start(long deployment, String scope, Instant now) {
    Deployments.fence(jdbc, deployment);
    jdbc.sql("insert into analyses (deployment_id, scope, started_at) values (:d, :s, :now)").param("d", deployment)
        .param("s", scope).param("now", Timestamp.from(now)).update();
  }

  /** Ends the analysis: only once (an analysis that has ended is not ended again). */
  void end(long deployment, String scope, boolean passed, String outcome, Instant now) {
    Deployments.fence(jdbc, deployment);
    int rows = jdbc.sql("""
        update analyses set ended_at = :now, passed = :passed, outcome = :outcome
         where deployment_id = :d and scope = :s and ended_at is null
        """).param("now", Timestamp.from(now)).param("passed", passed).param("outcome", cut(outcome))
        .param("d", deployment).param("s", scope).update();
    if (rows == 0) {
      throw new IllegalStateException("the " + scope + " analysis of deployment " + deployment + " has already ended");
    }
  }

  void addRound(Round r) {
    Deployments.fence(jdbc, r.deployment());
    jdbc.sql("""
        insert into analysis_rounds (deployment_id, scope, round_no, started_at, passed, total, results)
        values (:d, :s, :round, :at, :passed, :total, :results)
        """).param("d", r.deployment()).param("s", r.scope()).param("round", r.round())
        .param("at", Timestamp.from(r.startedAt())).param("passed", r.passed()).param("total", r.total())
        .param("results", cut(r.results())).update();
  }

  void addMeasurement(Measurement m) {
    Deployments.fence(jdbc, m.deployment());
    jdbc.sql("""
        insert into analysis_measurements (deployment_id, scope, round_no, metric_no, metric, query, answer,
          sampled_at, measured_at, verdict, counted_passed, reason)
        values (:d, :s, :round, :no, :metric, :query, :answer, :sampled, :measured, :verdict, :counted, :reason)
        """).param("d", m.deployment()).param("s", m.scope()).param("round", m.round()).param("no", m.metricNo())
        .param("metric", m.metric()).param("query", cut(m.query())).param("answer", cut(m.answer()))
        .param("sampled", m.sampledAt() == null ? null : Timestamp.from(m.sampledAt()), java.sql.Types.TIMESTAMP)
        .param("measured", Timestamp.from(m.measuredAt())).param("verdict", m.verdict())
        .param("counted", m.countedPassed()).param("reason", cut(m.reason())).update();
  }

  /** The measurements of one analysis of a deployment, by round and metric. */
  List<Measurement> measurements(long deployment, String scope) {
    return jdbc.sql("""
        select * from analysis_measurements where deployment_id = :d and scope = :s order by round_no, metric_no
        """).param("d", deployment).param("s", scope).query((rs, n) -> new Measurement(rs.getLong("deployment_id"),
            rs.getString("scope"), rs.getInt("round_no"), rs.getInt("metric_no"), rs.getString("metric"),
            rs.getString("query"), rs.getString("answer"), instant(rs, "sampled_at"), instant(rs, "measured_at"),
            rs.getString("verdict"), rs.getBoolean("counted_passed"), rs.getString("reason"))).list();
  }

  List<Round> rounds(long deployment, String scope) {
    return jdbc.sql("select * from analysis_rounds where deployment_id = :d and scope = :s order by round_no")
        .param("d", deployment).param("s", scope).query((rs, n) -> new Round(rs.getLong("deployment_id"),
            rs.getString("scope"), rs.getInt("round_no"), instant(rs, "started_at"), rs.getInt("passed"),
            rs.getInt("total"), rs.getString("results"))).list();
  }

  private static Analysis analysis(ResultSet rs, int n) throws SQLException {
    return new Analysis(rs.getLong("deployment_id"), rs.getString("scope"), instant(rs, "started_at"),
        instant(rs, "ended_at"), rs.getObject("passed") == null ? null : rs.getBoolean("passed"),
        rs.getString("outcome"));
  }

  private static String cut(String text) {
    return text == null || text.length() <= 4000 ? text : text.substring(0, 3997) + "...";
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.MICROS);
  }
}
