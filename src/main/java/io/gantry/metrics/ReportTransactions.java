package io.gantry.metrics;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a report's queries in one transaction. On PostgreSQL it turns just-in-time compilation off for
 * that transaction: the reports' plans are estimated costly enough to be compiled, and compiling
 * takes seconds where running takes milliseconds.
 */
@Component
class ReportTransactions {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final boolean postgres;

  ReportTransactions(JdbcClient jdbc, TransactionTemplate tx, DataSource dataSource) {
    this.jdbc = jdbc;
    this.tx = tx;
    try (Connection c = dataSource.getConnection()) {
      this.postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot tell which database this is", e);
    }
  }

  <T> T run(Supplier<T> report) {
    return tx.execute(status -> {
      if (postgres) {
        jdbc.sql("set local jit = off").update();
      }
      return report.get();
    });
  }
}
