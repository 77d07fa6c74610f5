package io.gantry.metrics;

import io.gantry.shared.ConflictException;
import io.gantry.shared.Json;
import io.gantry.shared.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Evaluates the KPIs against their targets over a period: the KPI report of every scope that has a target, and
 * each target's verdict, stored together once. A stored evaluation is only ever read back.
 */
@Service
class KpiEvaluations {

  static final String MET = "met";
  static final String MISSED = "missed";
  static final String NO_DATA = "no-data";
  /** The author of the evaluations the server makes on its own. */
  static final String SERVER = "gantry";

  private final JdbcClient jdbc;
  private final KpiReports kpis;
  private final KpiTargets targets;
  private final TransactionTemplate tx;
  private final Clock clock;

  KpiEvaluations(JdbcClient jdbc, KpiReports kpis, KpiTargets targets, TransactionTemplate tx, Clock clock) {
    this.jdbc = jdbc;
    this.kpis = kpis;
    this.targets = targets;
    this.tx = tx;
    this.clock = clock;
  }

  /** Evaluates the targets set now over the period, as {@code author}; refused when no target is set. */
  KpiEvaluation evaluate(Period period, String author) {
    return store(period, author, null).orElseThrow();
  }

  /**
   * Evaluates and stores, holding {@code slot} when one is given: empty when another evaluation holds it already
   * (made by this server earlier, or by another one at the same time).
   */
  Optional<KpiEvaluation> store(Period period, String author, String slot) {
    if (slot != null && slotTaken(slot)) {
      return Optional.empty();
    }
    List<KpiTarget> all = targets.all();
    if (all.isEmpty()) {
      throw new ConflictException("no KPI target is set: set one (gantry kpi targets set) before evaluating");
    }
    Map<String, List<KpiTarget>> byScope = new LinkedHashMap<>();
    all.forEach(t -> byScope.computeIfAbsent(KpiTargets.key(t.service(), t.environment()), k -> new ArrayList<>())
        .add(t));
    List<KpiEvaluation.ScopeReport> reports = new ArrayList<>();
    List<KpiEvaluation.Result> results = new ArrayList<>();
    for (List<KpiTarget> scoped : byScope.values()) {
      KpiTarget first = scoped.getFirst();
      KpiReport report = report(period, first.service(), first.environment());
      reports.add(new KpiEvaluation.ScopeReport(first.service(), first.environment(),
          report == null ? null : Json.read(Json.write(report), Map.class)));
      for (KpiTarget t : scoped) {
        Double figure = report == null ? null : Kpi.fromId("kpi", t.kpi()).figure(report);
        String verdict = figure == null ? NO_DATA : t.met(figure) ? MET : MISSED;
        results.add(new KpiEvaluation.Result(t.kpi(), t.service(), t.environment(), t.comparison(), t.value(),
            figure, verdict));
      }
    }
    Instant now = clock.instant();
    try {
      long id = tx.execute(status -> insert(period, author, slot, now, reports, results));
      return Optional.of(get(id));
    } catch (DuplicateKeyException e) {
      return Optional.empty();
    }
  }

  /** The report of a scope, or null when it cannot be made (its service or environment is gone from every record). */
  private KpiReport report(Period period, String service, String environment) {
    try {
      return kpis.report(period, new MetricsFilter(service, environment, null, null), null);
    } catch (io.gantry.shared.InvalidInputException e) {
      return null;
    }
  }

  boolean slotTaken(String slot) {
    return jdbc.sql("select count(*) from kpi_evaluations where periodic_slot = :slot").param("slot", slot)
        .query(Long.class).single() > 0;
  }

  /** The end of the latest periodic evaluation's period, if there is one. */
  Optional<Instant> lastPeriodicEnd() {
    return jdbc.sql("select max(period_to) from kpi_evaluations where periodic_slot is not null")
        .query(Timestamp.class).list().stream().filter(java.util.Objects::nonNull).findFirst()
        .map(Timestamp::toInstant);
  }

  private long insert(Period period, String author, String slot, Instant now, List<KpiEvaluation.ScopeReport> reports,
      List<KpiEvaluation.Result> results) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into kpi_evaluations (period_from, period_to, author, evaluated_at, periodic_slot)
        values (:from, :to, :author, :now, :slot)
        """).param("from", Timestamp.from(period.from())).param("to", Timestamp.from(period.to()))
        .param("author", author).param("now", Timestamp.from(now)).param("slot", slot).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    for (KpiEvaluation.ScopeReport r : reports) {
      jdbc.sql("""
          insert into kpi_evaluation_scopes (evaluation_id, service, environment, report)
          values (:id, :s, :e, :report)
          """).param("id", id).param("s", r.service()).param("e", r.environment())
          .param("report", Json.write(r.report())).update();
    }
    for (KpiEvaluation.Result r : results) {
      jdbc.sql("""
          insert into kpi_evaluation_results (evaluation_id, kpi, service, environment, comparison, target_value,
                                              figure, verdict)
          values (:id, :kpi, :s, :e, :c, :target, :figure, :verdict)
          """).param("id", id).param("kpi", r.kpi()).param("s", r.service()).param("e", r.environment())
          .param("c", r.comparison()).param("target", r.target()).param("figure", r.figure())
          .param("verdict", r.verdict()).update();
    }
    return id;
  }

  /** An evaluation with its results and reports. */
  KpiEvaluation get(long id) {
    KpiEvaluation e = jdbc.sql("select * from kpi_evaluations where id = :id").param("id", id)
        .query((rs, n) -> head(rs)).optional()
        .orElseThrow(() -> new NotFoundException("KPI evaluation", String.valueOf(id)));
    List<KpiEvaluation.ScopeReport> reports = jdbc.sql("""
        select service, environment, report from kpi_evaluation_scopes where evaluation_id = :id order by id
        """).param("id", id).query((rs, n) -> new KpiEvaluation.ScopeReport(rs.getString(1), rs.getString(2),
            readReport(rs.getString(3)))).list();
    return new KpiEvaluation(e.id(), e.from(), e.to(), e.author(), e.evaluatedAt(), e.periodic(), results(id),
        reports);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readReport(String json) {
    return json == null || json.equals("null") ? null : Json.read(json, Map.class);
  }

  /**
   * The evaluations whose period overlaps [from, to) (any when null), latest period first, with their results
   * but not their reports.
   */
  List<KpiEvaluation> list(Instant from, Instant to) {
    return jdbc.sql("""
        select * from kpi_evaluations where (cast(:from as timestamp with time zone) is null or period_to > :from)
           and (cast(:to as timestamp with time zone) is null or period_from < :to)
         order by period_to desc, evaluated_at desc, id desc
        """).param("from", from == null ? null : Timestamp.from(from)).param("to", to == null ? null : Timestamp.from(to))
        .query((rs, n) -> head(rs)).list().stream()
        .map(e -> new KpiEvaluation(e.id(), e.from(), e.to(), e.author(), e.evaluatedAt(), e.periodic(),
            results(e.id()), List.of()))
        .toList();
  }

  private List<KpiEvaluation.Result> results(long id) {
    return jdbc.sql("select * from kpi_evaluation_results where evaluation_id = :id order by id").param("id", id)
        .query((rs, n) -> new KpiEvaluation.Result(rs.getString("kpi"), rs.getString("service"),
            rs.getString("environment"), rs.getString("comparison"), rs.getDouble("target_value"),
            rs.getObject("figure") == null ? null : rs.getDouble("figure"), rs.getString("verdict"))).list();
  }

  private static KpiEvaluation head(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new KpiEvaluation(rs.getLong("id"), rs.getTimestamp("period_from").toInstant(),
        rs.getTimestamp("period_to").toInstant(), rs.getString("author"), rs.getTimestamp("evaluated_at").toInstant(),
        rs.getString("periodic_slot") != null, List.of(), List.of());
  }
}
