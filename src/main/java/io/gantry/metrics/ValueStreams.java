package io.gantry.metrics;

import static io.gantry.metrics.Scope.round;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The value stream map from the deployment records. A deployment's time is cut at each transition,
 * wait and step entry of its record: a stretch that starts at a wait is waiting time of that wait's
 * kind, any other stretch is process time of the activity of the state the deployment is in. The
 * last transition (to a final state) ends the deployment's time; log lines and target entries do not
 * cut it. The period map reads each ended deployment's cut once worked out ({@link DeploymentFacts});
 * the timeline of one deployment cuts its record as it is now.
 */
@Service
class ValueStreams {

  private final JdbcClient jdbc;
  private final Deployments deployments;
  private final Clock clock;
  private final ReportTransactions transactions;

  ValueStreams(JdbcClient jdbc, Deployments deployments, Clock clock, ReportTransactions transactions) {
    this.jdbc = jdbc;
    this.deployments = deployments;
    this.clock = clock;
    this.transactions = transactions;
  }

  /** The map of the deployments that ended in the period, from their facts ({@link DeploymentFacts}). */
  ValueStreamMap map(Period period, MetricsFilter filter) {
    return transactions.run(period, () -> compute(period, filter));
  }

  private ValueStreamMap compute(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    Scope scope = new Scope(period, f);
    StringBuilder perActivity = new StringBuilder();
    for (Activity a : Activity.values()) {
      String p = "f." + DeploymentFacts.column(a, 'p');
      String w = "f." + DeploymentFacts.column(a, 'w');
      perActivity.append(",\n count(%1$s) as %3$s_n, sum(%1$s) as %3$s_ps, %4$s as %3$s_pm, sum(%2$s) as %3$s_ws, %5$s as %3$s_wm"
          .formatted(p, w, a.name().toLowerCase(Locale.ROOT), median(p), median(w)));
    }
    Map<String, Object> facts = jdbc.sql("""
        select count(*) as ended, count(f.process_seconds) as all_n, sum(f.process_seconds) as all_ps,
               %s as all_pm, sum(f.wait_seconds) as all_ws, %s as all_wm%s
          from metrics_deployment_facts f where %s
        """.formatted(median("f.process_seconds"), median("f.wait_seconds"), perActivity, scope.ended("f")))
        .params(scope.params()).query().singleRow();

    List<ValueStreamMap.ActivityRow> activityRows = new ArrayList<>();
    Map<Activity, Map<String, Double>> kindsByActivity = new EnumMap<>(Activity.class);
    jdbc.sql("""
        select w.activity, w.waiting_for, sum(w.seconds) as seconds from metrics_deployment_waits w
         where %s group by w.activity, w.waiting_for
        """.formatted(scope.ended("w"))).params(scope.params()).query(rs -> {
          Activity activity = Activity.of(DeploymentState.valueOf(rs.getString("activity")));
          kindsByActivity.computeIfAbsent(activity, x -> new TreeMap<>())
              .put(kind(rs.getString("waiting_for")), round(rs.getDouble("seconds"), 3));
        });
    for (Activity a : Activity.values()) {
      Row row = row(facts, a.name().toLowerCase(Locale.ROOT));
      if (row.n() > 0) {
        activityRows.add(new ValueStreamMap.ActivityRow(a.id(), a.state.name(), row.n(), round(row.pSum(), 3),
            round(row.pMedian(), 3), round(row.wSum(), 3), round(row.wMedian(), 3), efficiency(row.pSum(), row.wSum()),
            kindsByActivity.getOrDefault(a, Map.of())));
      }
    }
    List<Row> kinds = jdbc.sql("""
        select k.waiting_for, count(*) as n, sum(k.seconds) as seconds,
               percentile_cont(0.5) within group (order by k.seconds) as median
          from (select w.deployment_id, w.waiting_for, sum(w.seconds) as seconds from metrics_deployment_waits w
                 where %s group by w.deployment_id, w.waiting_for) k
         group by k.waiting_for
        """.formatted(scope.ended("w"))).params(scope.params())
        .query((rs, i) -> new Row(rs.getString("waiting_for"), rs.getLong("n"), 0, null, rs.getDouble("seconds"),
            nullable(rs, "median"))).list();
    double waitTotal = kinds.stream().mapToDouble(Row::wSum).sum();
    List<ValueStreamMap.WaitRow> waitRows = kinds.stream()
        .sorted(Comparator.comparingDouble(Row::wSum).reversed().thenComparing(Row::kind))
        .map(k -> new ValueStreamMap.WaitRow(kind(k.kind()), k.n(), round(k.wSum(), 3), round(k.wMedian(), 3),
            waitTotal == 0 ? null : round(100 * k.wSum() / waitTotal, 1)))
        .toList();
    Row total = row(facts, "all");
    Instant now = clock.instant();
    return new ValueStreamMap(new KpiReport.PeriodView(period.from(), period.to(), period.partial(now),
        round(period.elapsed(now).toSeconds() / 86400.0, 3)), f, Scope.count(facts.get("ended")),
        new ValueStreamMap.Totals(round(total.pSum(), 3), round(total.wSum(), 3), efficiency(total.pSum(), total.wSum()),
            round(total.pMedian(), 3), round(total.wMedian(), 3)),
        activityRows, waitRows);
  }

  private static String median(String column) {
    return "percentile_cont(0.5) within group (order by " + column + ")";
  }

  /** The process and waiting figures of one activity (or "all") from the facts' aggregate. */
  private static Row row(Map<String, Object> facts, String prefix) {
    return new Row(null, Scope.count(facts.get(prefix + "_n")), orZero(facts.get(prefix + "_ps")),
        Scope.number(facts.get(prefix + "_pm")), orZero(facts.get(prefix + "_ws")), Scope.number(facts.get(prefix + "_wm")));
  }

  private static double orZero(Object value) {
    return value == null ? 0 : ((Number) value).doubleValue();
  }

  private record Row(String kind, long n, double pSum, Double pMedian, double wSum, Double wMedian) {}

  private static Double nullable(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  private static String kind(String waitingFor) {
    return waitingFor == null ? "unknown" : waitingFor.toLowerCase(java.util.Locale.ROOT);
  }

  static Double efficiency(double process, double wait) {
    return process + wait == 0 ? null : round(100 * process / (process + wait), 1);
  }

  /** One deployment's time, stretch by stretch; an unfinished deployment's last stretch runs until now. */
  ValueStreamMap.Timeline timeline(long id) {
    Deployment d = deployments.get(id);
    Instant now = clock.instant();
    List<ValueStreamMap.Segment> segments = new ArrayList<>();
    for (Stretch stretch : Stretch.cut(deployments.events(id, 0), d.state().isFinal(), now)) {
      String activity = stretch.activity().id();
      DeploymentEvent e = stretch.start();
      ValueStreamMap.Segment previous = segments.isEmpty() ? null : segments.getLast();
      // a blue-green switch is a segment of its own, named by its entry; other process time of one activity is one
      if (!stretch.waiting() && !e.startsSwitch() && previous != null && previous.type().equals("process")
          && previous.what() == null && previous.activity().equals(activity)) {
        segments.set(segments.size() - 1, new ValueStreamMap.Segment(previous.activity(), "process", null,
            previous.what(), previous.from(), stretch.end(), seconds(previous.from(), stretch.end()), stretch.open()));
        continue;
      }
      segments.add(new ValueStreamMap.Segment(activity, stretch.waiting() ? "wait" : "process",
          stretch.waiting() ? kind(stretch.waitingFor()) : null,
          stretch.waiting() || e.startsSwitch() ? e.message() : null, e.at(),
          stretch.end(), stretch.seconds(), stretch.open()));
    }
    Map<String, double[]> byActivity = new LinkedHashMap<>();
    Map<String, Map<String, Double>> kindsByActivity = new LinkedHashMap<>();
    Map<String, Double> byKind = new LinkedHashMap<>();
    for (Activity a : Activity.values()) {
      for (ValueStreamMap.Segment s : segments) {
        if (!s.activity().equals(a.id())) {
          continue;
        }
        double[] sums = byActivity.computeIfAbsent(a.id(), k -> new double[2]);
        sums[s.type().equals("wait") ? 1 : 0] += s.seconds();
        if (s.type().equals("wait")) {
          kindsByActivity.computeIfAbsent(a.id(), k -> new TreeMap<>()).merge(s.waitingFor(), s.seconds(), Double::sum);
          byKind.merge(s.waitingFor(), s.seconds(), Double::sum);
        }
      }
    }
    List<ValueStreamMap.ActivityRow> activities = byActivity.entrySet().stream()
        .map(e -> new ValueStreamMap.ActivityRow(e.getKey(), stateOf(e.getKey()), 1, round(e.getValue()[0], 3),
            round(e.getValue()[0], 3), round(e.getValue()[1], 3), round(e.getValue()[1], 3),
            efficiency(e.getValue()[0], e.getValue()[1]),
            kindsByActivity.getOrDefault(e.getKey(), Map.of()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, k -> round(k.getValue(), 3), (a, b) -> a, TreeMap::new))))
        .toList();
    double process = byActivity.values().stream().mapToDouble(v -> v[0]).sum();
    double waiting = byKind.values().stream().mapToDouble(Double::doubleValue).sum();
    List<ValueStreamMap.WaitRow> waits = byKind.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(e -> new ValueStreamMap.WaitRow(e.getKey(), 1, round(e.getValue(), 3), round(e.getValue(), 3),
            waiting == 0 ? null : round(100 * e.getValue() / waiting, 1)))
        .toList();
    Instant until = d.state().isFinal() && d.finishedAt() != null ? d.finishedAt() : now;
    return new ValueStreamMap.Timeline(d.id(), d.state().name(), d.state().isFinal(), until,
        new ValueStreamMap.Totals(round(process, 3), round(waiting, 3), efficiency(process, waiting),
            round(process, 3), round(waiting, 3)),
        activities, waits, segments, deployments.analysisRounds(id));
  }

  private static String stateOf(String activityId) {
    for (Activity a : Activity.values()) {
      if (a.id().equals(activityId)) {
        return a.state.name();
      }
    }
    return null;
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }
}
