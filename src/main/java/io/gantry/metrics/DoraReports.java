package io.gantry.metrics;

import static io.gantry.metrics.Scope.count;
import static io.gantry.metrics.Scope.epoch;
import static io.gantry.metrics.Scope.number;
import static io.gantry.metrics.Scope.percent;
import static io.gantry.metrics.Scope.round;

import io.gantry.shared.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Computes the DORA measures of a period in the database, in one statement over the facts of its deployments. */
@Service
class DoraReports {

  static final String THRESHOLDS = "DORA 2024 (Accelerate State of DevOps 2024) performance clusters";

  private final JdbcClient jdbc;
  private final Clock clock;
  private final ReportTransactions transactions;

  DoraReports(JdbcClient jdbc, Clock clock, ReportTransactions transactions) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.transactions = transactions;
  }

  DoraReport report(Period period, MetricsFilter filter) {
    return transactions.run(period, () -> compute(period, filter));
  }

  private DoraReport compute(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    List<String> production = Scope.productionEnvironments(jdbc);
    if (f.environment() != null && !production.contains(f.environment())) {
      throw InvalidInputException.of("environment", "\"" + f.environment() + "\" is not a production environment; "
          + "the DORA measures are about production deployments (production environments: "
          + (production.isEmpty() ? "none" : String.join(", ", production)) + ")");
    }
    Scope scope = new Scope(period, f);
    Map<String, Object> row = new org.springframework.util.LinkedCaseInsensitiveMap<>();
    String runs = runs(scope, production);
    if (transactions.postgres()) {
      // one statement: the production runs are worked out once (a CTE read three times is materialized)
      row.putAll(jdbc.sql("with p as (" + runs + ") select o.*, l.* from (" + outcomes("p") + ") o cross join ("
          + leads("p") + ") l").params(scope.params()).query().singleRow());
    } else {
      // H2 works a CTE out again where it is read: the runs as a subquery of each statement
      row.putAll(jdbc.sql(outcomes("(" + runs + ") p")).params(scope.params()).query().singleRow());
      row.putAll(jdbc.sql(leads("(" + runs + ") p")).params(scope.params()).query().singleRow());
    }

    Instant now = clock.instant();
    double days = period.elapsed(now).toSeconds() / 86400.0;
    long deployments = count(row.get("deployments"));
    long succeeded = count(row.get("succeeded"));
    Double perDay = days == 0 ? null : succeeded / period.rateDays(now);
    var frequency = new DoraReport.DeploymentFrequency(succeeded, round(perDay, 3),
        perDay == null ? null : round(perDay * 7, 3), DoraLevel.frequency(perDay));
    Double lead = round(number(row.get("lead_median")), 3);
    var leadTime = new DoraReport.ChangeLeadTime(succeeded, count(row.get("with_commit")), lead,
        DoraLevel.leadTime(lead));
    long failures = count(row.get("failures"));
    Double failRate = percent(failures, deployments);
    long recovered = count(row.get("recovered"));
    Double recovery = round(number(row.get("recovery")), 3);
    long rework = count(row.get("rework"));
    return new DoraReport(new KpiReport.PeriodView(period.from(), period.to(), period.partial(now), round(days, 3)),
        f, production, deployments, frequency, leadTime,
        new DoraReport.ChangeFailRate(failures, failRate, DoraLevel.changeFailRate(failRate)),
        new DoraReport.RecoveryTime(failures, recovered, failures - recovered, recovery, DoraLevel.recovery(recovery)),
        new DoraReport.ReworkRate(rework, percent(rework, deployments), null), THRESHOLDS);
  }

  /** The outcomes of the runs {@code p} ({@code from}: the relation, aliased {@code p}). */
  static String outcomes(String from) {
    return """
        select count(*) as deployments,
               sum(case when p.state = 'SUCCEEDED' then 1 else 0 end) as succeeded,
               sum(p.rework) as rework,
               sum(p.failed) as failures,
               count(case when p.failed = 1 then p.recovery end) as recovered,
               percentile_cont(0.5) within group (order by case when p.failed = 1 then p.recovery end) as recovery
          from %s
        """.formatted(from);
  }

  /**
   * The change lead time over the successful runs {@code p} ({@code from}: the relation, aliased {@code p}): the
   * median over the commits they brought, each from its commit to the end of the deployment that brought it
   * ({@code metrics_commit_leads}, for deployments that list their commits), and for a deployment that lists
   * none, from the commit time of the version it installed, or when that is unknown from its request;
   * {@code with_commit}: the deployments whose figure starts at a commit.
   */
  static String leads(String from) {
    return """
        select percentile_cont(0.5) within group (order by v.s) as lead_median,
               count(distinct v.with_commit) as with_commit
          from (select l.seconds as s, p.deployment_id as with_commit
                  from %1$s join metrics_commit_leads l on l.deployment_id = p.deployment_id
                 where p.state = 'SUCCEEDED'
                union all
                select coalesce(p.commit_seconds, p.lead_seconds) as s,
                       case when p.commit_seconds is not null then p.deployment_id end as with_commit
                  from %1$s
                 where p.state = 'SUCCEEDED'
                   and not exists (select 1 from metrics_commit_leads l where l.deployment_id = p.deployment_id)) v
        """.formatted(from);
  }

  /**
   * The production deployments of the scope that ran (succeeded, rolled back, or failed after executing),
   * one row each: its end, state, commit and lead seconds, whether it is rework (remediated an incident),
   * whether it is a failed change, and its recovery time (null while unrecovered). The DORA report and
   * its daily series ({@link DailyTrends}) read the same rows.
   */
  static String runs(Scope scope, List<String> production) {
    return """
            select f.deployment_id, f.finished_at, f.state, f.commit_seconds, f.lead_seconds,
                   case when r.deployment_id is null then 0 else 1 end as rework,
                   case when f.state <> 'SUCCEEDED' or i.deployment_id is not null then 1 else 0 end as failed,
                   case
                     when f.state = 'ROLLED_BACK' then f.rollback_seconds
                     when f.state = 'FAILED' then cast(extract(epoch from (select min(n.finished_at) from deployments n
                       where n.environment = f.environment and n.service = f.service and n.component = f.component
                         and n.finished_at > f.finished_at and n.state = 'SUCCEEDED')) - %2$s as double precision)
                     else i.recovery
                   end as recovery
              from metrics_deployment_facts f
              left join (select x.deployment_id,
                                case when count(x.resolved_at) = count(*)
                                  then cast(max(%3$s) - min(%4$s) as double precision) end as recovery
                           from incidents x where x.deployment_id is not null group by x.deployment_id) i
                on i.deployment_id = f.deployment_id
              left join (select distinct m.deployment_id from incident_remediations m) r
                on r.deployment_id = f.deployment_id
             where %1$s and %5$s
               and (f.state in ('SUCCEEDED', 'ROLLED_BACK') or (f.state = 'FAILED' and f.executed))
            offset 0
        """.formatted(scope.ended("f"), epoch("f.finished_at"), epoch("x.resolved_at"), epoch("x.detected_at"),
        Scope.production(production, "f"));
  }
}
