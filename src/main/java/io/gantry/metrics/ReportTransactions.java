package io.gantry.metrics;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a report's queries in one transaction, after writing the facts of the deployments of its
 * period that have none yet ({@link DeploymentFacts}). On PostgreSQL it turns just-in-time compilation off for
 * that transaction: the reports' plans are estimated costly enough to be compiled, and compiling
 * takes seconds where running takes milliseconds. Parallel workers are off too: for these aggregates over the
 * facts of a period, starting them cost more than they saved (the ratings of 90 days at 1,000,000 deployments:
 * 60 to 70 ms with two workers, 30 to 40 ms without).
 */
@Component
class ReportTransactions {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final boolean postgres;
  private final DeploymentFacts facts;

  ReportTransactions(JdbcClient jdbc, TransactionTemplate tx, DataSource dataSource, DeploymentFacts facts) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.facts = facts;
    this.postgres = postgres(dataSource);
  }

  private static boolean postgres(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot tell which database this is", e);
    }
  }

  /** Whether the reports run on PostgreSQL (else H2). */
  boolean postgres() {
    return postgres;
  }

  <T> T run(Period period, Supplier<T> report) {
    facts.write(period);
    return tx.execute(status -> {
      if (postgres) {
        jdbc.sql("set local jit = off").update();
        jdbc.sql("set local max_parallel_workers_per_gather = 0").update();
      }
      return report.get();
    });
  }
}
