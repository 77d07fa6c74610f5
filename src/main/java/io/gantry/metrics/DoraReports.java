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

/** Computes the DORA measures of a period in the database, in one statement. */
@Service
class DoraReports {

  static final String THRESHOLDS = "DORA 2024 (Accelerate State of DevOps 2024) performance clusters";

  private final JdbcClient jdbc;
  private final CommitTimes commitTimes;
  private final Clock clock;
  private final ReportTransactions transactions;

  DoraReports(JdbcClient jdbc, CommitTimes commitTimes, Clock clock, ReportTransactions transactions) {
    this.jdbc = jdbc;
    this.commitTimes = commitTimes;
    this.clock = clock;
    this.transactions = transactions;
  }

  DoraReport report(Period period, MetricsFilter filter) {
    return transactions.run(() -> compute(period, filter));
  }

  private DoraReport compute(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    Scope.validate(jdbc, f);
    List<String> production = jdbc.sql("select name from environments where purpose = 'production' order by name")
        .query(String.class).list();
    if (f.environment() != null && !production.contains(f.environment())) {
      throw InvalidInputException.of("environment", "\"" + f.environment() + "\" is not a production environment; "
          + "the DORA measures are about production deployments (production environments: "
          + (production.isEmpty() ? "none" : String.join(", ", production)) + ")");
    }
    Scope scope = new Scope(period, f);
    commitTimes.refresh(scope);
    Map<String, Object> row = jdbc.sql("""
        select count(*) as deployments,
               sum(case when f.state = 'SUCCEEDED' then 1 else 0 end) as succeeded,
               sum(f.rework) as rework,
               sum(f.failed) as failures,
               count(case when f.failed = 1 then f.recovery end) as recovered,
               percentile_cont(0.5) within group (order by case when f.failed = 1 then f.recovery end) as recovery,
               sum(case when f.state = 'SUCCEEDED' and f.commit_time is not null then 1 else 0 end) as with_commit,
               percentile_cont(0.5) within group (order by case when f.state = 'SUCCEEDED' then f.lead end)
                 as lead_median
          from (
            select p.state, p.rework, p.commit_time,
                   case when p.state <> 'SUCCEEDED' or p.caused = 1 then 1 else 0 end as failed,
                   %2$s - coalesce(%7$s, %8$s) as lead,
                   case
                     when p.state = 'ROLLED_BACK' then %2$s - (select min(%3$s) from deployment_events x
                       where x.deployment_id = p.id and x.kind = 'TRANSITION' and x.to_state = 'ROLLING_BACK')
                     when p.state = 'FAILED' then (select min(%4$s) from deployments n
                       where n.environment = p.environment and n.service = p.service and n.component = p.component
                         and n.finished_at > p.finished_at and n.state = 'SUCCEEDED') - %2$s
                     when p.caused = 1 then (select case when count(i.resolved_at) = count(*)
                       then max(%5$s) - min(%6$s) end from incidents i where i.deployment_id = p.id)
                   end as recovery
              from (
                select d.id, d.state, d.environment, d.service, d.component, d.requested_at, d.finished_at,
                       c.commit_time,
                       case when exists (select 1 from incidents i where i.deployment_id = d.id) then 1 else 0 end
                         as caused,
                       case when exists (select 1 from incident_remediations r where r.deployment_id = d.id)
                         then 1 else 0 end as rework
                  from deployments d
                  left join metrics_commit_times c
                    on c.service = d.service and c.component = d.component and c.version = d.version
                 where %1$s and d.environment in (select e.name from environments e where e.purpose = 'production')
                   and case when d.state in ('SUCCEEDED', 'ROLLED_BACK') then 1
                            when d.state = 'FAILED' then (select count(*) from deployment_events x
                              where x.deployment_id = d.id and x.kind = 'TRANSITION' and x.to_state = 'EXECUTING')
                            else 0 end > 0
              ) p
          ) f
        """.formatted(scope.ended(), epoch("p.finished_at"), epoch("x.at"), epoch("n.finished_at"),
        epoch("i.resolved_at"), epoch("i.detected_at"), epoch("p.commit_time"), epoch("p.requested_at")))
        .params(scope.params()).query().singleRow();

    Instant now = clock.instant();
    double days = period.elapsed(now).toSeconds() / 86400.0;
    long deployments = count(row.get("deployments"));
    long succeeded = count(row.get("succeeded"));
    Double perDay = days == 0 ? null : succeeded / days;
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
}
