-- Hand-written SQL computing the report figures the benchmark compares, for the period [:from, :to).
-- Statements are separated by "-- name: X" lines; MetricsBenchmark times each against the report.

-- name: kpis
select d.ended, d.succeeded, d.failed, d.rolled_back, d.cancelled, d.planned, d.on_time, d.lead_median,
       (select count(*) from deployments r where r.requested_at >= :from and r.requested_at < :to) as requested,
       (select count(*) from deployments q where q.state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'))
         as queued,
       (select count(*) from incidents i where i.detected_at >= :from and i.detected_at < :to) as incidents,
       (select count(*) from deployment_ratings t join deployments x on x.id = t.deployment_id
         where x.finished_at >= :from and x.finished_at < :to) as ratings,
       (select count(*) from deployments x join model_versions v on v.number = x.model_version
          join deployment_models m on m.id = v.model_id and m.name = x.model
         where x.finished_at >= :from and x.finished_at < :to and v.spec is not null
           and not exists (select 1 from model_versions n where n.model_id = v.model_id and n.number > v.number
                            and n.created_at <= coalesce(x.started_at, x.requested_at))) as agreed
  from (select count(*) as ended,
               count(case when state = 'SUCCEEDED' then 1 end) as succeeded,
               count(case when state = 'FAILED' then 1 end) as failed,
               count(case when state = 'ROLLED_BACK' then 1 end) as rolled_back,
               count(case when state = 'CANCELLED' then 1 end) as cancelled,
               count(case when planned_start is not null and started_at is not null then 1 end) as planned,
               count(case when planned_start is not null and started_at is not null
                  and abs(extract(epoch from started_at) - extract(epoch from planned_start)) <= 900 then 1 end)
                 as on_time,
               percentile_cont(0.5) within group (order by case when state = 'SUCCEEDED'
                  then extract(epoch from finished_at) - extract(epoch from requested_at) end) as lead_median
          from deployments where finished_at >= :from and finished_at < :to) d

-- name: dora
select count(*) as deployments,
       count(case when state = 'SUCCEEDED' then 1 end) as succeeded,
       count(case when state <> 'SUCCEEDED' or incident_recovery is not null or incidents > 0 then 1 end)
         as failures,
       percentile_cont(0.5) within group (order by case when state = 'SUCCEEDED' then lead end) as lead,
       percentile_cont(0.5) within group (order by case when state <> 'SUCCEEDED' or incidents > 0 then recovery end)
         as recovery,
       count(case when rework then 1 end) as rework
  from (
    select p.state, i.recovery as incident_recovery, coalesce(i.n, 0) as incidents,
           extract(epoch from p.finished_at) - extract(epoch from coalesce(c.commit_time, p.requested_at)) as lead,
           case when p.state = 'ROLLED_BACK' then extract(epoch from p.finished_at)
                  - (select extract(epoch from min(x.at)) from deployment_events x where x.deployment_id = p.id
                      and x.kind = 'TRANSITION' and x.to_state = 'ROLLING_BACK')
                when p.state = 'FAILED' then (select extract(epoch from min(n.finished_at)) from deployments n
                      where n.environment = p.environment and n.service = p.service and n.component = p.component
                        and n.state = 'SUCCEEDED' and n.finished_at > p.finished_at) - extract(epoch from p.finished_at)
                else i.recovery end as recovery,
           exists (select 1 from incident_remediations r where r.deployment_id = p.id) as rework
      from deployments p
      join environments e on e.name = p.environment and e.purpose = 'production'
      left join metrics_commit_times c on c.service = p.service and c.component = p.component and c.version = p.version
      left join (select deployment_id, count(*) as n, case when count(resolved_at) = count(*)
                   then extract(epoch from max(resolved_at)) - extract(epoch from min(detected_at)) end as recovery
                   from incidents where deployment_id is not null group by deployment_id) i on i.deployment_id = p.id
     where p.finished_at >= :from and p.finished_at < :to
       and case when p.state in ('SUCCEEDED', 'ROLLED_BACK') then 1
                when p.state = 'FAILED' then (select count(*) from deployment_events x where x.deployment_id = p.id
                  and x.kind = 'TRANSITION' and x.to_state = 'EXECUTING') else 0 end > 0
  ) f

-- name: vsm
select waiting_for, sum(extract(epoch from next_at) - extract(epoch from at)) as seconds
  from (select x.waiting_for, x.at, x.kind, lead(x.at) over (partition by x.deployment_id order by x.id) as next_at
          from deployment_events x join deployments d on d.id = x.deployment_id
         where d.finished_at >= :from and d.finished_at < :to and x.kind in ('TRANSITION', 'WAIT', 'STEP')) e
 where next_at is not null
 group by waiting_for
