package io.gantry.metrics;

import static io.gantry.metrics.Scope.count;
import static io.gantry.metrics.Scope.epoch;
import static io.gantry.metrics.Scope.number;
import static io.gantry.metrics.Scope.percent;
import static io.gantry.metrics.Scope.round;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Computes the practice KPIs of a period in the database, from the facts of the deployments that ended in it. */
@Service
class KpiReports {

  static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(15);
  static final int COMMENTS = 20;
  /** The states of a deployment that has not ended, as an SQL list. */
  static final String UNFINISHED = java.util.Arrays.stream(io.gantry.deployment.DeploymentState.values())
      .filter(s -> !s.isFinal()).map(s -> "'" + s.name() + "'")
      .collect(java.util.stream.Collectors.joining(", ", "(", ")"));

  private final JdbcClient jdbc;
  private final Clock clock;
  private final Supplier<List<AuditFindingSource>> sources;
  private final ReportTransactions transactions;
  private final ExternalFindings external;
  private final AlignmentSurvey survey;

  @Autowired
  KpiReports(JdbcClient jdbc, Clock clock, ObjectProvider<AuditFindingSource> sources,
      ReportTransactions transactions) {
    this(jdbc, clock, () -> sources.orderedStream().toList(), transactions);
  }

  KpiReports(JdbcClient jdbc, Clock clock, Supplier<List<AuditFindingSource>> sources,
      ReportTransactions transactions) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.sources = sources;
    this.transactions = transactions;
    this.external = new ExternalFindings(jdbc, clock);
    this.survey = new AlignmentSurvey(jdbc, clock);
  }

  KpiReport report(Period period, MetricsFilter filter, Duration tolerance) {
    return transactions.run(period, () -> compute(period, filter, tolerance));
  }

  private KpiReport compute(Period period, MetricsFilter filter, Duration tolerance) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    if (tolerance == null) {
      tolerance = DEFAULT_TOLERANCE;
    }
    if (tolerance.isNegative() || tolerance.compareTo(Duration.ofDays(1)) > 0) {
      throw io.gantry.shared.InvalidInputException.of("tolerance", "the schedule tolerance must be 0 to 1440 "
          + "minutes, was " + tolerance.toMinutes());
    }
    Scope scope = new Scope(period, f);
    Instant now = clock.instant();
    double days = period.elapsed(now).toSeconds() / 86400.0;
    double rateDays = period.rateDays(now);
    Map<String, Object> ended = jdbc.sql("""
        select count(*) as ended,
               sum(case when f.state = 'SUCCEEDED' then 1 else 0 end) as succeeded,
               sum(case when f.state = 'FAILED' then 1 else 0 end) as failed,
               sum(case when f.state = 'ROLLED_BACK' then 1 else 0 end) as rolled_back,
               sum(case when f.state = 'CANCELLED' then 1 else 0 end) as cancelled,
               count(f.start_deviation) as planned,
               sum(case when abs(f.start_deviation) <= :tolerance then 1 else 0 end) as on_time,
               percentile_cont(0.5) within group (order by f.start_deviation) as deviation,
               percentile_cont(0.5) within group (order by case when f.state = 'SUCCEEDED' then f.lead_seconds end)
                 as lead_median,
               avg(case when f.state = 'SUCCEEDED' then f.lead_seconds end) as lead_mean,
               sum(case when f.model_in_force and (c.model is null or c.model = f.model) then 1 else 0 end) as agreed
          from metrics_deployment_facts f
          left join services s on s.name = f.service
          left join components c on c.service_id = s.id and c.name = f.component
         where %s
        """.formatted(scope.ended("f")))
        .params(scope.params()).param("tolerance", tolerance.toSeconds()).query().singleRow();
    // the commit lead time: every commit a successful production deployment brought (those that list
    // their commits), else the commit time of the version it installed
    String counted = scope.ended("f") + " and f.state = 'SUCCEEDED' and " + Scope.production(jdbc, "f");
    Map<String, Object> commits = jdbc.sql("""
        select count(distinct v.d) as commit_n, percentile_cont(0.5) within group (order by v.s) as commit_median,
               avg(v.s) as commit_mean
          from (select l.seconds as s, f.deployment_id as d
                  from metrics_deployment_facts f join metrics_commit_leads l on l.deployment_id = f.deployment_id
                 where %1$s
                union all
                select f.commit_seconds as s, f.deployment_id as d from metrics_deployment_facts f
                 where %1$s and f.commit_seconds is not null
                   and not exists (select 1 from metrics_commit_leads l where l.deployment_id = f.deployment_id)) v
        """.formatted(counted)).params(scope.params()).query().singleRow();

    long succeeded = count(ended.get("succeeded"));
    long failed = count(ended.get("failed"));
    long rolledBack = count(ended.get("rolled_back"));
    long cancelled = count(ended.get("cancelled"));
    long total = count(ended.get("ended"));
    var deployments = new KpiReport.Deployments(total, succeeded, failed, rolledBack, cancelled,
        percent(succeeded, total - cancelled), failed + rolledBack);
    long planned = count(ended.get("planned"));
    long onTime = count(ended.get("on_time"));
    var adherence = new KpiReport.ScheduleAdherence(tolerance.toMinutes(), planned, onTime, percent(onTime, planned),
        round(number(ended.get("deviation")), 3));

    long requested = jdbc.sql("select count(*) from deployments d where d.requested_at >= :from "
        + "and d.requested_at < :to" + scope.matches("d")).params(scope.params()).query(Long.class).single();
    Map<String, Object> queue = jdbc.sql("""
        select count(*) as queued, min(%1$s) as oldest,
               percentile_cont(0.5) within group (order by %1$s) as median
          from deployments d where d.state in %2$s %3$s
        """.formatted(epoch("d.requested_at"), UNFINISHED, scope.matches("d"))).params(scope.params()).query().singleRow();
    double nowSeconds = now.toEpochMilli() / 1000.0;
    Double oldest = number(queue.get("oldest"));
    Double median = number(queue.get("median"));
    var backlog = new KpiReport.Backlog(requested, total, days == 0 ? null : round(requested / rateDays, 2),
        days == 0 ? null : round(total / rateDays, 2), count(queue.get("queued")),
        oldest == null ? null : round(nowSeconds - oldest, 3), median == null ? null : round(nowSeconds - median, 3));

    var leadTime = new KpiReport.LeadTime(succeeded, round(number(ended.get("lead_median")), 3),
        round(number(ended.get("lead_mean")), 3), count(commits.get("commit_n")),
        round(number(commits.get("commit_median")), 3), round(number(commits.get("commit_mean")), 3));

    long agreed = count(ended.get("agreed"));
    return new KpiReport(new KpiReport.PeriodView(period.from(), period.to(), period.partial(now), round(days, 3)),
        f, deployments, incidents(scope), adherence, backlog, leadTime, satisfaction(scope),
        new KpiReport.Adoption(total, agreed, percent(agreed, total)), auditFindings(period, f),
        survey.alignment(period, f));
  }

  private KpiReport.Incidents incidents(Scope scope) {
    MetricsFilter f = scope.filter;
    StringBuilder where = new StringBuilder("i.detected_at >= :from and i.detected_at < :to");
    if (f.service() != null) {
      where.append(" and i.service = :service");
    }
    if (f.environment() != null) {
      where.append(" and i.environment = :environment");
    }
    if (f.model() != null) {
      where.append(" and d.model = :model");
    }
    if (f.team() != null) {
      where.append(" and i.service in (select t.name from services t where t.owner = :team)");
    }
    if (f.external() == MetricsFilter.External.EXCLUDE) {
      where.append(" and coalesce(d.kind, '') <> 'EXTERNAL'");
    } else if (f.external() == MetricsFilter.External.ONLY) {
      where.append(" and d.kind = 'EXTERNAL'");
    }
    Map<String, Long> bySeverity = new TreeMap<>();
    long[] totals = new long[3];
    jdbc.sql("""
        select i.severity, count(*) as n, sum(case when i.deployment_id is not null then 1 else 0 end) as related,
               sum(case when i.resolved_at is null then 1 else 0 end) as unresolved
          from incidents i left join deployments d on d.id = i.deployment_id
         where %s group by i.severity
        """.formatted(where)).params(scope.params()).query(rs -> {
          bySeverity.put(Severity.of(rs.getInt("severity")).id(), rs.getLong("n"));
          totals[0] += rs.getLong("n");
          totals[1] += rs.getLong("related");
          totals[2] += rs.getLong("unresolved");
        });
    return new KpiReport.Incidents(totals[0], totals[1], percent(totals[1], totals[0]), totals[2], bySeverity);
  }

  private KpiReport.Satisfaction satisfaction(Scope scope) {
    // a rating carries its deployment's end: the facts are joined only to filter by what the deployment was
    String rated = scope.matches("f").isEmpty() ? "deployment_ratings r where "
        : "deployment_ratings r join metrics_deployment_facts f on f.deployment_id = r.deployment_id where "
            + scope.ended("f") + " and ";
    Map<String, Object> averages = jdbc.sql("""
        select count(*) as n, avg(cast(r.lead_time as double precision)) as lead_time,
               avg(cast(r.quality as double precision)) as quality, count(r.rate_of_change) as n_rate,
               avg(cast(r.rate_of_change as double precision)) as rate_of_change
          from %s r.deployment_finished_at >= :from and r.deployment_finished_at < :to
        """.formatted(rated)).params(scope.params()).query().singleRow();
    List<KpiReport.Comment> comments = jdbc.sql("""
        select r.deployment_id, r.rated_by, r.lead_time, r.quality, r.comment, r.rated_at
          from %s r.deployment_finished_at >= :from and r.deployment_finished_at < :to and r.comment is not null
         order by r.rated_at desc, r.id desc limit %d
        """.formatted(rated, COMMENTS)).params(scope.params())
        .query((rs, n) -> new KpiReport.Comment(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
            rs.getString(5), rs.getTimestamp(6).toInstant())).list();
    return new KpiReport.Satisfaction(count(averages.get("n")), round(number(averages.get("lead_time")), 2),
        round(number(averages.get("quality")), 2), count(averages.get("n_rate")),
        round(number(averages.get("rate_of_change")), 2), comments);
  }

  /** The audit findings of a period, internal and external, as the KPI report counts them. */
  KpiReport.AuditFindings auditFindingsOf(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    return auditFindings(period, f);
  }

  /**
   * The findings of the sources wired in (internal: what Gantry's own records show) and those recorded from
   * outside (external audits), counted together and by origin.
   */
  private KpiReport.AuditFindings auditFindings(Period period, MetricsFilter filter) {
    List<AuditFindingSource> wired = sources.get();
    List<AuditFinding> all = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (AuditFindingSource source : wired) {
      names.add(source.getClass().getSimpleName());
      all.addAll(source.findings(period, filter));
    }
    long internal = all.size();
    List<AuditFinding> outside = external.findings(period, filter);
    if (!outside.isEmpty()) {
      names.add("external audits");
    }
    all.addAll(outside);
    all.sort(java.util.Comparator.comparing(AuditFinding::at).thenComparing(AuditFinding::kind));
    Map<String, Long> byKind = new LinkedHashMap<>();
    all.forEach(finding -> byKind.merge(finding.kind(), 1L, Long::sum));
    Map<String, Long> byOrigin = new LinkedHashMap<>();
    byOrigin.put("internal", internal);
    byOrigin.put("external", (long) outside.size());
    return new KpiReport.AuditFindings(!wired.isEmpty() || !outside.isEmpty(), names, all.size(), new TreeMap<>(byKind), all, byOrigin);
  }

  static Timestamp ts(Instant instant) {
    return Timestamp.from(instant);
  }
}
