package io.gantry.metrics;

import static io.gantry.metrics.Scope.epoch;
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
 * cut it.
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

  /**
   * The state's rank in the lifecycle. Every allowed transition goes to a state of higher rank, so
   * the state a deployment is in at any entry of its record is the highest rank reached so far.
   */
  static String stateRank(String column) {
    StringBuilder sql = new StringBuilder("case " + column);
    for (DeploymentState s : DeploymentState.values()) {
      sql.append(" when '").append(s.name()).append("' then ").append(s.ordinal());
    }
    return sql.append(" end").toString();
  }

  /**
   * The map of the deployments that ended in the period. No entry of their records is older than the
   * oldest request among them, and none that counts is later than their ends: those bounds on the
   * entries' times let the database read only that stretch of the record.
   */
  ValueStreamMap map(Period period, MetricsFilter filter) {
    return transactions.run(() -> compute(period, filter));
  }

  private ValueStreamMap compute(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    Scope scope = new Scope(period, f);
    String sql = """
        with e as (
          select x.deployment_id as d, x.kind, x.waiting_for, x.at,
                 lead(x.at) over (partition by x.deployment_id order by x.id) as next_at,
                 max(case when x.kind = 'TRANSITION' then %1$s end)
                   over (partition by x.deployment_id order by x.id) as st
            from deployment_events x
            join deployments d on d.id = x.deployment_id
           where %2$s and x.kind in ('TRANSITION', 'WAIT', 'STEP')
             and x.at >= :oldest and x.at < :to
        ),
        seg as (
          select d, st, case when kind = 'WAIT' then waiting_for end as wk, sum(%3$s - %4$s) as secs
            from e where next_at is not null and st < %5$d
           group by d, st, case when kind = 'WAIT' then waiting_for end
        ),
        per_activity as (
          select d, st, sum(case when wk is null then secs else 0 end) as p,
                 sum(case when wk is null then 0 else secs end) as w
            from seg group by d, st
        ),
        per_kind as (
          select d, wk, sum(secs) as w from seg where wk is not null group by d, wk
        ),
        per_deployment as (
          select d, sum(p) as p, sum(w) as w from per_activity group by d
        )
        select 'A' as level, st, cast(null as varchar(30)) as wk, count(*) as n, sum(p) as p_sum,
               percentile_cont(0.5) within group (order by p) as p_median, sum(w) as w_sum,
               percentile_cont(0.5) within group (order by w) as w_median
          from per_activity group by st
        union all
        select 'K', st, wk, count(*), 0, null, sum(secs), null from seg where wk is not null group by st, wk
        union all
        select 'W', null, wk, count(*), 0, null, sum(w), percentile_cont(0.5) within group (order by w)
          from per_kind group by wk
        union all
        select 'D', null, null, count(*), sum(p), percentile_cont(0.5) within group (order by p), sum(w),
               percentile_cont(0.5) within group (order by w)
          from per_deployment
        """.formatted(stateRank("x.to_state"), scope.ended(), epoch("next_at"), epoch("at"),
            DeploymentState.SUCCEEDED.ordinal());
    java.sql.Timestamp oldest = jdbc.sql("select min(d.requested_at) from deployments d where " + scope.ended())
        .params(scope.params()).query(java.sql.Timestamp.class).optional().orElse(null);

    Map<Activity, Row> activities = new EnumMap<>(Activity.class);
    Map<Activity, Map<String, Double>> kindsByActivity = new EnumMap<>(Activity.class);
    List<Row> kinds = new ArrayList<>();
    Row[] all = new Row[1];
    Map<String, Object> params = new java.util.HashMap<>(scope.params());
    params.put("oldest", oldest == null ? params.get("from") : oldest);
    jdbc.sql(sql).params(params).query(rs -> {
      String level = rs.getString("level");
      int st = rs.getInt("st");
      Activity activity = rs.wasNull() ? null : Activity.of(DeploymentState.values()[st]);
      Row row = new Row(rs.getString("wk"), rs.getLong("n"), rs.getDouble("p_sum"), nullable(rs, "p_median"),
          rs.getDouble("w_sum"), nullable(rs, "w_median"));
      switch (level) {
        case "A" -> {
          if (activity != null) {
            activities.put(activity, row);
          }
        }
        case "K" -> {
          if (activity != null) {
            kindsByActivity.computeIfAbsent(activity, a -> new TreeMap<>()).put(kind(row.kind()), round(row.wSum(), 3));
          }
        }
        case "W" -> kinds.add(row);
        default -> all[0] = row;
      }
    });
    Row total = all[0] == null ? new Row(null, 0, 0, null, 0, null) : all[0];
    List<ValueStreamMap.ActivityRow> activityRows = new ArrayList<>();
    activities.forEach((activity, row) -> activityRows.add(new ValueStreamMap.ActivityRow(activity.id(),
        activity.state.name(), row.n(), round(row.pSum(), 3), round(row.pMedian(), 3), round(row.wSum(), 3),
        round(row.wMedian(), 3), efficiency(row.pSum(), row.wSum()),
        kindsByActivity.getOrDefault(activity, Map.of()))));
    double waitTotal = kinds.stream().mapToDouble(Row::wSum).sum();
    List<ValueStreamMap.WaitRow> waitRows = kinds.stream()
        .sorted(Comparator.comparingDouble(Row::wSum).reversed().thenComparing(Row::kind))
        .map(k -> new ValueStreamMap.WaitRow(kind(k.kind()), k.n(), round(k.wSum(), 3), round(k.wMedian(), 3),
            waitTotal == 0 ? null : round(100 * k.wSum() / waitTotal, 1)))
        .toList();
    long count = jdbc.sql("select count(*) from deployments d where " + scope.ended()).params(scope.params())
        .query(Long.class).single();
    Instant now = clock.instant();
    return new ValueStreamMap(new KpiReport.PeriodView(period.from(), period.to(), period.partial(now),
        round(period.elapsed(now).toSeconds() / 86400.0, 3)), f, count,
        new ValueStreamMap.Totals(round(total.pSum(), 3), round(total.wSum(), 3), efficiency(total.pSum(), total.wSum()),
            round(total.pMedian(), 3), round(total.wMedian(), 3)),
        activityRows, waitRows);
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
    List<DeploymentEvent> cuts = deployments.events(id, 0).stream()
        .filter(e -> e.kind() == DeploymentEvent.Kind.TRANSITION || e.kind() == DeploymentEvent.Kind.WAIT
            || e.kind() == DeploymentEvent.Kind.STEP)
        .toList();
    List<ValueStreamMap.Segment> segments = new ArrayList<>();
    DeploymentState state = null;
    for (int i = 0; i < cuts.size(); i++) {
      DeploymentEvent e = cuts.get(i);
      if (e.kind() == DeploymentEvent.Kind.TRANSITION) {
        state = e.to();
      }
      Activity activity = state == null ? null : Activity.of(state);
      boolean last = i == cuts.size() - 1;
      if (activity == null || (last && d.state().isFinal())) {
        continue;
      }
      Instant end = last ? now : cuts.get(i + 1).at();
      boolean wait = e.kind() == DeploymentEvent.Kind.WAIT;
      String kind = wait ? kind(e.waitingFor() == null ? null : e.waitingFor().name()) : null;
      ValueStreamMap.Segment previous = segments.isEmpty() ? null : segments.getLast();
      if (!wait && previous != null && previous.type().equals("process") && previous.activity().equals(activity.id())) {
        segments.set(segments.size() - 1, new ValueStreamMap.Segment(previous.activity(), "process", null,
            previous.what(), previous.from(), end, seconds(previous.from(), end), last));
        continue;
      }
      segments.add(new ValueStreamMap.Segment(activity.id(), wait ? "wait" : "process", kind,
          wait ? e.message() : null, e.at(), end, seconds(e.at(), end), last));
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
        activities, waits, segments);
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
