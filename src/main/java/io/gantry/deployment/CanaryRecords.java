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
