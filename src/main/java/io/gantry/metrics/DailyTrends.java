package io.gantry.metrics;

import static io.gantry.metrics.Scope.percent;
import static io.gantry.metrics.Scope.round;

import io.gantry.shared.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Works out {@link DailyMeasures}: reads one row per deployment of the period (the same facts and,
 * for production, the same rows as the DORA report) and sorts them into UTC days. Medians are
 * interpolated as {@code percentile_cont(0.5)} does.
 */
@Service
class DailyTrends {

  private final JdbcClient jdbc;
  private final Clock clock;
  private final ReportTransactions transactions;

  DailyTrends(JdbcClient jdbc, Clock clock, ReportTransactions transactions) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.transactions = transactions;
  }

  DailyMeasures daily(Period period, MetricsFilter filter) {
    return transactions.run(period, () -> compute(period, filter));
  }

  /** What a day gathers before its medians are taken. */
  private static final class Bucket {
    long succeeded;
    long failed;
    long rolledBack;
    long cancelled;
    final List<Double> leads = new ArrayList<>();
    long production;
    long failedChanges;
    final List<Double> changeLeads = new ArrayList<>();
    long unrecovered;
    final List<Double> recoveries = new ArrayList<>();
  }

  private DailyMeasures compute(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    Scope scope = new Scope(period, f);
    Instant now = clock.instant();
    Map<LocalDate, Bucket> days = new TreeMap<>();
    LocalDate first = day(period.from());
    Instant end = period.to().isAfter(now) ? now : period.to();
    LocalDate last = day(end.minusNanos(1));
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      days.put(d, new Bucket());
    }
    jdbc.sql("select f.finished_at, f.state, f.lead_seconds from metrics_deployment_facts f where " + scope.ended("f"))
        .params(scope.params()).query(rs -> {
          Bucket b = days.computeIfAbsent(day(rs.getTimestamp(1).toInstant()), x -> new Bucket());
          switch (rs.getString(2)) {
            case "SUCCEEDED" -> {
              b.succeeded++;
              b.leads.add(rs.getDouble(3));
            }
            case "FAILED" -> b.failed++;
            case "ROLLED_BACK" -> b.rolledBack++;
            case "CANCELLED" -> b.cancelled++;
            default -> throw new IllegalStateException("not a final state: " + rs.getString(2));
          }
        });
    List<String> production = Scope.productionEnvironments(jdbc);
    if (f.environment() == null || production.contains(f.environment())) {
      jdbc.sql("""
          select p.finished_at, p.state, p.failed, p.recovery, coalesce(p.commit_seconds, p.lead_seconds) as lead
            from (%s) p
          """.formatted(DoraReports.runs(scope, production))).params(scope.params()).query(rs -> {
            Bucket b = days.computeIfAbsent(day(rs.getTimestamp(1).toInstant()), x -> new Bucket());
            b.production++;
            if ("SUCCEEDED".equals(rs.getString(2))) {
              b.changeLeads.add(rs.getDouble(5));
            }
            if (rs.getInt(3) == 1) {
              b.failedChanges++;
              double recovery = rs.getDouble(4);
              if (rs.wasNull()) {
                b.unrecovered++;
              } else {
                b.recoveries.add(recovery);
              }
            }
          });
    }
    List<DailyMeasures.Day> out = new ArrayList<>();
    days.forEach((d, b) -> out.add(new DailyMeasures.Day(d, b.succeeded, b.failed, b.rolledBack, b.cancelled,
        round(median(b.leads), 3), b.production, b.failedChanges, percent(b.failedChanges, b.production),
        round(median(b.changeLeads), 3), b.recoveries.size(), b.unrecovered, round(median(b.recoveries), 3))));
    if (out.size() > Period.MAX_DAYS + 1) {
      throw InvalidInputException.of("to", "the period has more than " + Period.MAX_DAYS + " days");
    }
    return new DailyMeasures(new KpiReport.PeriodView(period.from(), period.to(), period.partial(now),
        round(period.elapsed(now).toSeconds() / 86400.0, 3)), f, production, out);
  }

  private static LocalDate day(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  /** The interpolated median, as {@code percentile_cont(0.5)}: the mean of the middle two of an even number. */
  static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
