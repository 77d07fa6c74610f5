package io.gantry.deployment;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Extends an engine's leases on a database connection of its own, opened beside the pool the engine's
 * work uses (with the same URL and user): a pool exhausted by that work cannot hold the heartbeat up.
 * The connection is kept between beats and opened again after a failure.
 */
final class LeaseHeartbeat implements AutoCloseable {

  private static final String EXTEND = Deployments.EXTEND.replace(":millis", "?").replace(":d", "?")
      .replace(":owner", "?").replace(":fence", "?");

  private final DataSource source;
  private Connection connection;

  LeaseHeartbeat(DataSource source) {
    this.source = source;
  }

  /**
   * Where the heartbeat's connection comes from: beside the HikariCP pool of {@code tx}'s data source, a
   * connection of its own to the same database; another data source is asked for one connection, kept.
   */
  static LeaseHeartbeat beside(TransactionTemplate tx) {
    if (!(tx.getTransactionManager() instanceof DataSourceTransactionManager manager)
        || manager.getDataSource() == null) {
      throw new IllegalArgumentException("the engine's transactions must run on a JDBC data source, so that its "
          + "lease heartbeat can open a connection to the same database");
    }
    DataSource work = manager.getDataSource();
    try {
      if (work.isWrapperFor(HikariDataSource.class)) {
        HikariDataSource pool = work.unwrap(HikariDataSource.class);
        DriverManagerDataSource own = new DriverManagerDataSource(pool.getJdbcUrl(), pool.getUsername(),
            pool.getPassword());
        if (pool.getDriverClassName() != null) {
          own.setDriverClassName(pool.getDriverClassName());
        }
        return new LeaseHeartbeat(own);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not look into the engine's data source", e);
    }
    return new LeaseHeartbeat(work);
  }

  /** Extends the lease by {@code length} from the database's clock; false if the claim is no longer the lease's. */
  synchronized boolean extend(Lease lease, Duration length) throws SQLException {
    try {
      if (connection == null || connection.isClosed()) {
        connection = source.getConnection();
        connection.setAutoCommit(true);
      }
      try (PreparedStatement update = connection.prepareStatement(EXTEND)) {
        update.setLong(1, length.toMillis());
        update.setLong(2, lease.deployment());
        update.setString(3, lease.owner());
        update.setLong(4, lease.token());
        update.setQueryTimeout((int) Math.max(1, length.toSeconds()));
        return update.executeUpdate() == 1;
      }
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // the connection is given up on either way
      }
      connection = null;
    }
  }
}
