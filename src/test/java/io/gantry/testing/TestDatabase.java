package io.gantry.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The two databases every storage contract test runs on: an H2 database in memory and a fresh schema
 * on the local PostgreSQL server (127.0.0.1:5432, database {@code test}; override with
 * GANTRY_TEST_PG_URL / GANTRY_TEST_PG_USER). Each call gives a new, empty, migrated database, with
 * a pool of connections that is closed once the test that made it has ended; a PostgreSQL schema is
 * dropped then too, or when the tests end for one a booted application used. Schemas left behind pile
 * up in the server's catalog and slow every migration down (thousands of tables made Flyway take
 * seconds per schema): {@code ./run-tests} drops those of earlier runs before it starts.
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
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("test-" + unique);
    switch (this) {
      case H2 -> {
        pool.setJdbcUrl(h2Url(unique));
        pool.setUsername("sa");
      }
      case POSTGRESQL -> {
        createSchema(unique);
        pool.setJdbcUrl(PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + unique);
        pool.setUsername(PG_USER);
      }
    }
    pool.setPassword("");
    pool.setMaximumPoolSize(MAX_OPEN);
    pool.setMinimumIdle(0);
    pool.setConnectionTimeout(TimeUnit.SECONDS.toMillis(60));
    HikariDataSource ds = new HikariDataSource(pool);
    OPEN.add(new Open(ds, this == POSTGRESQL ? unique : null));
    Flyway.configure().dataSource(ds).locations(migrations()).load().migrate();
    return new Instance(this, ds, unique);
  }

  /** Where this database's migrations are: the common ones, and those written for it alone. */
  public String[] migrations() {
    return new String[] {"classpath:db/migration", "classpath:db/vendor/" + (this == H2 ? "h2" : "postgresql")};
  }

  /**
   * The connection pools of the databases created since the last {@link #closeAll()}: a test's
   * databases are closed after it ({@link ClosesTestDatabases}), so that their connections do not
   * pile up on the PostgreSQL server.
   */
  private static final Queue<Open> OPEN = new ConcurrentLinkedQueue<>();

  /** A pool of a test database, and its PostgreSQL schema (null on H2). */
  private record Open(HikariDataSource pool, String schema) {}

  /** The schemas of booted applications, dropped when the tests end (their contexts may be reused until then). */
  private static final Queue<String> BOOTED = new ConcurrentLinkedQueue<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (String schema; (schema = BOOTED.poll()) != null; ) {
        dropSchema(schema);
      }
    }, "drop-test-schemas"));
  }

  /** Closes the connections of every database created so far and drops their PostgreSQL schemas. */
  static void closeAll() {
    for (Open open; (open = OPEN.poll()) != null; ) {
      open.pool().close();
      if (open.schema() != null) {
        dropSchema(open.schema());
      }
    }
  }

  /** Drops a test schema, giving up quietly if something still holds it: {@code ./run-tests} drops it next time. */
  private static void dropSchema(String schema) {
    try (Connection c = new org.postgresql.Driver().connect(PG_URL, props());
        Statement s = c.createStatement()) {
      s.execute("set lock_timeout = '2s'");
      s.execute("drop schema if exists " + schema + " cascade");
    } catch (Exception e) {
      // left for the next run's clean-up
    }
  }

  /** Spring properties that point a booted application at a new database of this kind. */
  public String[] springProperties() {
    String unique = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    return switch (this) {
      case H2 -> new String[] {"spring.datasource.url=" + h2Url(unique), "spring.datasource.username=sa",
          "spring.datasource.password="};
      case POSTGRESQL -> {
        createSchema(unique);
        BOOTED.add(unique);
        yield new String[] {
            "spring.datasource.url=" + PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + unique,
            "spring.datasource.username=" + PG_USER, "spring.datasource.password="};
      }
    };
  }

  /**
   * At most this many connections of one test database are open at once; more callers wait (60 s
   * at most). The PostgreSQL server allows 100 clients in all, and tests run in two JVMs beside
   * booted servers.
   */
  static final int MAX_OPEN = 8;

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
