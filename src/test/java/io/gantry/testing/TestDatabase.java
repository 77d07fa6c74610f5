package io.gantry.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The two databases every storage contract test runs on: an H2 database in memory and a fresh schema
 * on the local PostgreSQL server (127.0.0.1:5432, database {@code test}; override with
 * GANTRY_TEST_PG_URL / GANTRY_TEST_PG_USER). Each call gives a new, empty, migrated database.
 */
public enum TestDatabase {
  H2,
  POSTGRESQL;

  public static final String PG_URL =
      System.getenv().getOrDefault("GANTRY_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String PG_USER = System.getenv().getOrDefault("GANTRY_TEST_PG_USER", "postgres");

  /** A new empty database with every migration applied. */
  public Instance create() {
    String unique = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    DataSource ds = switch (this) {
      case H2 -> new SimpleDriverDataSource(new org.h2.Driver(), h2Url(unique), "sa", "");
      case POSTGRESQL -> {
        createSchema(unique);
        yield bounded(new SimpleDriverDataSource(new org.postgresql.Driver(),
            PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + unique, PG_USER, ""));
      }
    };
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    return new Instance(this, ds, unique);
  }

  /** Spring properties that point a booted application at a new database of this kind. */
  public String[] springProperties() {
    String unique = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    return switch (this) {
      case H2 -> new String[] {"spring.datasource.url=" + h2Url(unique), "spring.datasource.username=sa",
          "spring.datasource.password="};
      case POSTGRESQL -> {
        createSchema(unique);
        yield new String[] {
            "spring.datasource.url=" + PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + unique,
            "spring.datasource.username=" + PG_USER, "spring.datasource.password="};
      }
    };
  }

  /**
   * At most this many connections of one test database are open at once; more callers wait. The
   * PostgreSQL server allows 100 clients in all, and tests run in two JVMs beside booted servers.
   */
  static final int MAX_OPEN = 8;

  /** The data source, with its open connections bounded ({@link #MAX_OPEN}): a connection's close frees a place. */
  private static DataSource bounded(DataSource target) {
    Semaphore places = new Semaphore(MAX_OPEN, true);
    return new DelegatingDataSource(target) {
      @Override
      public Connection getConnection() throws SQLException {
        try {
          if (!places.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new SQLException("no test database connection became free within 60 s (" + MAX_OPEN + " open)");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting for a test database connection", e);
        }
        Connection c;
        try {
          c = super.getConnection();
        } catch (SQLException | RuntimeException e) {
          places.release();
          throw e;
        }
        AtomicBoolean closed = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("equals") && args != null && args.length == 1) {
                return proxy == args[0];
              }
              if (method.getName().equals("hashCode") && (args == null || args.length == 0)) {
                return System.identityHashCode(proxy);
              }
              if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                places.release();
              }
              try {
                return method.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
      }
    };
  }

  private static String h2Url(String name) {
    return "jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
  }

  private static void createSchema(String schema) {
    try (Connection c = new org.postgresql.Driver().connect(PG_URL, props());
        Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + PG_URL
          + " (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", e);
    }
  }

  private static java.util.Properties props() {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", PG_USER);
    return p;
  }

  /** A migrated database for one test, with a client and transactions over it. */
  public record Instance(TestDatabase kind, DataSource dataSource, String name) {

    public JdbcClient jdbc() {
      return JdbcClient.create(dataSource);
    }

    public TransactionTemplate transactions() {
      return new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Row count of a table, to show that refused input changed nothing. */
    public long count(String table) {
      return jdbc().sql("select count(*) from " + table).query(Long.class).single();
    }
  }
}
