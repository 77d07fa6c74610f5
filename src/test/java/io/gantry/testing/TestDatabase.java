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
 * The two databases every storage contract test runs on: an H2 database in memory and a fresh database
 * on the local PostgreSQL server (127.0.0.1:5432, reached through database {@code test}; override with
 * GANTRY_TEST_PG_URL / GANTRY_TEST_PG_USER). Each call gives a new, empty, migrated database (a copy of
 * a template migrated once: 55 ms on H2 and 255 ms on PostgreSQL here, against 675 ms and 2.5 s for
 * running the migrations each time), with a pool of connections that is closed once the test that made
 * it has ended; a PostgreSQL database is dropped then too. A booted application gets a schema of its own
 * in {@code test} instead (it runs the migrations itself), dropped when the tests end. What an
 * interrupted run leaves behind piles up on the server: {@code ./run-tests} drops it before it starts.
 */
public enum TestDatabase {
  H2,
  POSTGRESQL;

  public static final String PG_URL =
      System.getenv().getOrDefault("GANTRY_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String PG_USER = System.getenv().getOrDefault("GANTRY_TEST_PG_USER", "postgres");

  /**
   * A new empty database with every migration applied. The migrations run once per test JVM (H2) or once per set of
   * migrations on the server (PostgreSQL) into a template, and each database is a copy of it: on H2 the template's
   * script run into a new in-memory database, on PostgreSQL a database created from the template database (a copy
   * of its files). Both hold exactly what the migrations made, their history table included.
   */
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
        createDatabase(unique);
        pool.setJdbcUrl(pgUrl(unique));
        pool.setUsername(PG_USER);
      }
    }
    pool.setPassword("");
    pool.setMaximumPoolSize(MAX_OPEN);
    pool.setMinimumIdle(0);
    pool.setConnectionTimeout(TimeUnit.SECONDS.toMillis(60));
    HikariDataSource ds = new HikariDataSource(pool);
    OPEN.add(new Open(ds, this == POSTGRESQL ? unique : null));
    if (this == H2) {
      try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
        st.execute("runscript from '" + h2Template() + "'");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("the migrated H2 template could not be copied", e);
      }
    }
    return new Instance(this, ds, unique);
  }

  // --- templates

  /** The migrations' text, hashed: a template is made for one set of migrations and reused while they stay. */
  private String migrationsDigest() {
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-256");
      var resolver = new org.springframework.core.io.support.PathMatchingResourcePatternResolver();
      var resources = new java.util.ArrayList<org.springframework.core.io.Resource>();
      for (String location : migrations()) {
        resources.addAll(java.util.List.of(resolver.getResources(location + "/*.sql")));
      }
      resources.sort(java.util.Comparator.comparing(org.springframework.core.io.Resource::getFilename));
      for (var r : resources) {
        digest.update(r.getFilename().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (var in = r.getInputStream()) {
          digest.update(in.readAllBytes());
        }
      }
      return java.util.HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the migrations could not be read", e);
    }
  }

  private static volatile java.nio.file.Path h2Template;

  /** The script of a migrated H2 database, made once per JVM. */
  private static synchronized String h2Template() {
    if (h2Template == null) {
      String name = "tmpl" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (HikariDataSource ds = new HikariDataSource(hikari(h2Url(name), "sa"))) {
        Flyway.configure().dataSource(ds).locations(H2.migrations()).load().migrate();
        java.nio.file.Path script = java.nio.file.Files.createTempFile("gantry-h2-template", ".sql");
        script.toFile().deleteOnExit();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
          st.execute("script nopasswords to '" + script + "'");
          st.execute("drop all objects");
        }
        h2Template = script;
      } catch (java.sql.SQLException | java.io.IOException e) {
        throw new IllegalStateException("the H2 template could not be made", e);
      }
    }
    return h2Template.toString();
  }

  private static HikariConfig hikari(String url, String user) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername(user);
    c.setPassword("");
    // Flyway holds one connection for its lock and works on another
    c.setMaximumPoolSize(3);
    return c;
  }

  private static volatile String pgTemplate;

  /**
   * The name of the PostgreSQL template database of the current migrations, made when the server has none yet:
   * under a lock shared by every JVM (tests run in several), migrated under another name and renamed when done, so
   * a template that exists is complete.
   */
  private static synchronized String pgTemplate() {
    if (pgTemplate != null) {
      return pgTemplate;
    }
    String name = "gantry_tmpl_" + POSTGRESQL.migrationsDigest();
    try (Connection c = new org.postgresql.Driver().connect(PG_URL, props()); Statement st = c.createStatement()) {
      st.execute("select pg_advisory_lock(72657)");
      try {
        boolean exists;
        try (var rs = st.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
          exists = rs.next();
        }
        if (!exists) {
          String building = name + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
          st.execute("create database " + building);
          try (HikariDataSource ds = new HikariDataSource(hikari(pgUrl(building), PG_USER))) {
            Flyway.configure().dataSource(ds).locations(POSTGRESQL.migrations()).load().migrate();
          }
          st.execute("alter database " + building + " rename to " + name);
        }
      } finally {
        st.execute("select pg_advisory_unlock(72657)");
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + PG_URL
          + " (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", e);
    }
    pgTemplate = name;
    return name;
  }

  /** The URL of database {@code name} on the test server. */
  private static String pgUrl(String name) {
    return PG_URL.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
  }

  private static void createDatabase(String name) {
    String template = pgTemplate();
    try (Connection c = new org.postgresql.Driver().connect(PG_URL, props()); Statement st = c.createStatement()) {
      st.execute("create database " + name + " template " + template);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("database " + name + " could not be made from template " + template, e);
    }
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
        dropDatabase(open.schema());
      }
    }
  }

  /** Drops a test database, giving up quietly if it cannot: {@code ./run-tests} drops it next time. */
  private static void dropDatabase(String name) {
    try (Connection c = new org.postgresql.Driver().connect(PG_URL, props());
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + name + " with (force)");
    } catch (Exception e) {
      // left for the next run's clean-up
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
