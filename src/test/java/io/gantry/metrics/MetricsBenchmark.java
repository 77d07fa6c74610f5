package io.gantry.metrics;

import io.gantry.deployment.Deployments;
import io.gantry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The metrics benchmark (run by bench/metrics.sh, not a test): generates N deployments with their
 * records straight into a new database (bench/metrics-generate.sql), then times the 90-day KPI, DORA
 * and value stream reports as the server computes them (one connection, as from a pool) next to the
 * hand-written SQL of bench/metrics-baseline.sql, and checks both give the same figures.
 *
 * <p>Arguments: {@code h2|postgresql} {@code N[,N...]} {@code bench-dir}.
 */
public final class MetricsBenchmark {

  static final Instant NOW = Instant.parse("2026-10-01T00:00:00Z");
  static final Period LAST_90_DAYS = new Period(Instant.parse("2026-07-02T00:00:00Z"),
      Instant.parse("2026-09-30T00:00:00Z"));
  static final int RUNS = 5;

  public static void main(String[] args) throws Exception {
    String database = args[0];
    Path bench = Path.of(args[2]);
    String generator = Files.readString(bench.resolve("metrics-generate.sql"));
    Map<String, String> baseline = baseline(Files.readString(bench.resolve("metrics-baseline.sql")));
    for (String size : args[1].split(",")) {
      int n = Integer.parseInt(size.strip());
      run(database, n, generator, baseline);
    }
  }

  static void run(String database, int n, String generator, Map<String, String> baseline) throws Exception {
    Path h2 = Files.createTempDirectory("gantry-metrics-bench");
    String schema = "bench_metrics_" + System.nanoTime();
    Connection connection;
    if (database.equals("postgresql")) {
      try (Connection admin = DriverManager.getConnection(TestDatabase.PG_URL, TestDatabase.PG_USER, "");
          Statement s = admin.createStatement()) {
        s.execute("create schema " + schema);
      }
      connection = DriverManager.getConnection(TestDatabase.PG_URL + "?currentSchema=" + schema, TestDatabase.PG_USER,
          "");
    } else {
      connection = DriverManager.getConnection("jdbc:h2:file:" + h2.resolve("bench")
          + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;CACHE_SIZE=1048576;OPTIMIZE_REUSE_RESULTS=FALSE", "sa", "");
    }
    try {
      SingleConnectionDataSource ds = new SingleConnectionDataSource(connection, true);
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
      long start = System.nanoTime();
      System.out.println("  schema " + schema);
      String series = database.equals("postgresql") ? "(select cast(generate_series(1, %d) as bigint) as i) g"
          : "(select cast(\"X\" as bigint) as i from system_range(1, %d)) g";
      String sql = generator.replace("{series50}", series.formatted(50).replace(") g", ") g0"))
          .replace("{series}", series.formatted(n)).replace("{n}", String.valueOf(n))
          .replace("{unlogged}", database.equals("postgresql") ? "unlogged" : "");
      try (Statement s = connection.createStatement()) {
        if (database.equals("postgresql")) {
          s.execute("set session_replication_role = replica"); // no foreign key checks while loading
        }
        for (String statement : sql.split("\n;\n")) {
          String text = statement.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + "\n" + b).strip();
          if (!text.isEmpty()) {
            long t = System.nanoTime();
            s.execute(text);
            if (System.getenv("BENCH_KEEP") != null) {
              System.out.printf("  %.1f s: %s%n", (System.nanoTime() - t) / 1e9, text.lines().findFirst().orElse(""));
            }
          }
        }
        if (database.equals("postgresql")) {
          s.execute("set session_replication_role = default");
        }
        settle(s, database, List.of("deployments", "deployment_events", "incidents", "incident_remediations",
            "deployment_ratings", "services", "components", "component_versions", "environments"));
      }
      double generated = (System.nanoTime() - start) / 1e9;
      JdbcClient jdbc = JdbcClient.create(ds);
      long events = jdbc.sql("select count(*) from deployment_events").query(Long.class).single();
      System.out.printf("%s, %,d deployments, %,d record entries: generated in %.0f s%n", database, n, events,
          generated);

      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      CommitTimes commitTimes = new CommitTimes(jdbc);
      var tx = new org.springframework.transaction.support.TransactionTemplate(
          new org.springframework.jdbc.datasource.DataSourceTransactionManager(ds));
      // as the server's: a check that every deployment of a period has its facts is trusted for a minute, by a
      // clock that runs (from NOW)
      Clock running = Clock.offset(Clock.systemUTC(), java.time.Duration.between(Instant.now(), NOW));
      DeploymentFacts facts = new DeploymentFacts(jdbc, commitTimes, tx, ds, DeploymentFacts.BATCH, running,
          DeploymentFacts.TRUSTED);
      ReportTransactions transactions = new ReportTransactions(jdbc, tx, ds, facts);
      KpiReports kpis = new KpiReports(jdbc, clock, List::of, transactions);
      DoraReports dora = new DoraReports(jdbc, clock, transactions);
      ValueStreams vsm = new ValueStreams(jdbc, new Deployments(jdbc), clock, transactions);
      Map<String, Object> params = Map.of("from", Timestamp.from(LAST_90_DAYS.from()),
          "to", Timestamp.from(LAST_90_DAYS.to()));

      long factsStart = System.nanoTime();
      facts.write(LAST_90_DAYS);
      double factsSeconds = (System.nanoTime() - factsStart) / 1e9;
      try (Statement s = connection.createStatement()) {
        settle(s, database, List.of("metrics_deployment_facts", "metrics_deployment_waits"));
      }
      System.out.printf("  facts of the deployments that ended in the 90 days worked out in %.1f s "
          + "(once, by the first report that covers them)%n", factsSeconds);
      long[] checks = new long[5];
      for (int i = 0; i < checks.length; i++) {
        long checkStart = System.nanoTime();
        new DeploymentFacts(jdbc, commitTimes, tx, ds).write(LAST_90_DAYS); // in full: nothing is trusted
        checks[i] = (System.nanoTime() - checkStart) / 1_000_000;
      }
      java.util.Arrays.sort(checks);
      System.out.printf("  the check that every deployment of the 90 days has its facts: %d ms (median of 5), made "
          + "in full by the first report in a minute; the reports below come within it%n", checks[2]);

      KpiReport k = kpis.report(LAST_90_DAYS, MetricsFilter.NONE, null);
      DoraReport d = dora.report(LAST_90_DAYS, MetricsFilter.NONE);
      ValueStreamMap v = vsm.map(LAST_90_DAYS, MetricsFilter.NONE);
      Map<String, Object> bk = jdbc.sql(baseline.get("kpis")).params(params).query().singleRow();
      Map<String, Object> bd = jdbc.sql(baseline.get("dora")).params(params).query().singleRow();
      Map<String, Double> bv = new LinkedHashMap<>();
      jdbc.sql(baseline.get("vsm")).params(params).query(rs -> {
        bv.put(String.valueOf(rs.getString(1)), rs.getDouble(2));
      });
      boolean kpiSame = k.deployments().ended() == Scope.count(bk.get("ended"))
          && k.deployments().succeeded() == Scope.count(bk.get("succeeded"))
          && k.scheduleAdherence().onTime() == Scope.count(bk.get("on_time"))
          && k.backlog().requested() == Scope.count(bk.get("requested"))
          && k.adoption().throughAgreedModel() == Scope.count(bk.get("agreed"))
          && close(k.leadTime().requestToSuccessMedianSeconds(), Scope.number(bk.get("lead_median")));
      boolean doraSame = d.deployments() == Scope.count(bd.get("deployments"))
          && d.changeFailRate().failed() == Scope.count(bd.get("failures"))
          && d.deploymentReworkRate().rework() == Scope.count(bd.get("rework"))
          && close(d.changeLeadTime().medianSeconds(), Scope.number(bd.get("lead")))
          && close(d.failedDeploymentRecoveryTime().medianSeconds(), Scope.number(bd.get("recovery")));
      double bvWait = bv.entrySet().stream().filter(e -> !e.getKey().equals("null")).mapToDouble(Map.Entry::getValue)
          .sum();
      boolean vsmSame = close(v.totals().waitSeconds(), bvWait) && close(v.totals().processSeconds(), bv.get("null"));
      System.out.printf("  90 days: %,d deployments ended, %,d in production; success %.1f %%, change fail rate %.1f %%,"
          + " flow efficiency %.1f %%%n", k.deployments().ended(), d.deployments(), k.deployments().successPercent(),
          d.changeFailRate().percent(), v.totals().flowEfficiencyPercent());
      System.out.printf("  same figures as the hand-written SQL: KPIs %s, DORA %s, value stream %s%n",
          kpiSame ? "yes" : "NO", doraSame ? "yes" : "NO", vsmSame ? "yes" : "NO");

      if (database.equals("postgresql")) {
        jdbc.sql("set jit = off").update(); // the hand-written SQL as the reports run it
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(time("KPI report", () -> kpis.report(LAST_90_DAYS, MetricsFilter.NONE, null), "kpis", jdbc, params,
          baseline));
      rows.add(time("DORA report", () -> dora.report(LAST_90_DAYS, MetricsFilter.NONE), "dora", jdbc, params,
          baseline));
      rows.add(time("value stream map", () -> vsm.map(LAST_90_DAYS, MetricsFilter.NONE), "vsm", jdbc, params,
          baseline));
      System.out.printf("  %-18s %10s %10s %7s%n", "report", "gantry", "baseline", "ratio");
      rows.forEach(r -> System.out.printf("  %-18s %10s %10s %7s%n", (Object[]) r));
    } finally {
      connection.close();
      if (database.equals("postgresql") && System.getenv("BENCH_KEEP") == null) {
        try (Connection admin = DriverManager.getConnection(TestDatabase.PG_URL, TestDatabase.PG_USER, "");
            Statement s = admin.createStatement()) {
          s.execute("drop schema " + schema + " cascade");
        }
      }
      try (var files = Files.walk(h2)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * What a running database does by itself after a bulk load: PostgreSQL's autovacuum gathers the
   * tables' statistics and marks their pages all-visible (so counts read only an index); H2 gathers
   * statistics.
   */
  private static void settle(Statement s, String database, List<String> tables) throws java.sql.SQLException {
    if (database.equals("postgresql")) {
      for (String table : tables) {
        s.execute("vacuum analyze " + table);
      }
    } else {
      s.execute("analyze");
    }
  }

  private static boolean close(Double a, Double b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return Math.abs(a - b) <= Math.max(0.01, Math.abs(b) * 1e-6);
  }

  private static String[] time(String name, Supplier<?> report, String query, JdbcClient jdbc,
      Map<String, Object> params, Map<String, String> baseline) {
    double gantry = median(() -> report.get());
    double hand = median(() -> jdbc.sql(baseline.get(query)).params(params).query().listOfRows());
    return new String[] {name, "%.0f ms".formatted(gantry * 1000), "%.0f ms".formatted(hand * 1000),
        "%.2f".formatted(gantry / hand)};
  }

  /** Median seconds of {@link #RUNS} runs after one warm-up run. */
  private static double median(Supplier<?> work) {
    work.get();
    double[] seconds = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      work.get();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(seconds);
    return seconds[RUNS / 2];
  }

  private static Map<String, String> baseline(String text) {
    Map<String, String> queries = new LinkedHashMap<>();
    String name = null;
    StringBuilder sql = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.startsWith("-- name: ")) {
        if (name != null) {
          queries.put(name, sql.toString().strip());
        }
        name = line.substring("-- name: ".length()).strip();
        sql.setLength(0);
      } else if (name != null && !line.startsWith("--")) {
        sql.append(line).append('\n');
      }
    }
    queries.put(name, sql.toString().strip());
    return queries;
  }

  private MetricsBenchmark() {}
}
