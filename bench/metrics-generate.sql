-- Generates {n} deployments over 720 days (2024-10-10 to 2026-09-30) with their records, straight into
-- the database: 50 services x 4 environments (a quarter into production), 85 % succeeded, 6 % failed
-- while executing, 4 % rolled back, 2 % failed while planning, 3 % cancelled, the last 50 unfinished;
-- a third wait (lock 15 %, window 5 %, change 2 %, schedule 1 % while planning; approval 5 %, manual
-- 3 %, decision 1 % while executing); 3 % of production successes cause an incident (half of them
-- remediated by a later deployment); 10 % of successes rated. Outcomes and waits vary along the
-- deployments of one service to one environment: no place always fails. {series} and {unlogged} are
-- filled in per database by MetricsBenchmark. Statements end with a line holding only ";".
insert into services (name, owner, labels, created_at, updated_at)
select 'svc' || i, 'team' || mod(i, 10), '{}', timestamp with time zone '2024-01-01 00:00:00+00',
       timestamp with time zone '2024-01-01 00:00:00+00'
  from (select i from {series50}) s
;
insert into environments (name, purpose, controlled, owner, promotes_to, labels, created_at, updated_at)
select name, purpose, false, 'ops', '[]', '{}', timestamp with time zone '2024-01-01 00:00:00+00',
       timestamp with time zone '2024-01-01 00:00:00+00'
  from (values ('dev', 'development'), ('test', 'test'), ('staging', 'staging'), ('production', 'production'))
       as e(name, purpose)
;
insert into deployment_models (name, current_version, retired, created_at, updated_at)
values ('std', 1, false, timestamp with time zone '2024-01-01 00:00:00+00', timestamp with time zone '2024-01-01 00:00:00+00')
;
insert into model_versions (model_id, number, spec, author, reason, created_at, diff)
select id, 1, 'spec', 'admin', 'bench', created_at, '' from deployment_models where name = 'std'
;
insert into components (service_id, name, type, model, requires, required_attributes, labels, created_at, updated_at)
select id, 'web', 'software', 'std', '[]', '[]', '{}', created_at, created_at from services
;
insert into component_versions (component_id, version, status, content_digest, attributes, created_by, created_at)
select c.id, '1.0', 'APPROVED', 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
       case when mod(c.id, 2) = 0 then '{"commitTime":"2024-10-01T00:00:00Z"}' else '{}' end, 'admin', c.created_at
  from components c
;
create {unlogged} table bench_plan as
select i, t0, svc, env, outcome, wk, wphase, p, w, x,
       p + case when wphase = 1 then w else 0 end as tp,
       p + case when wphase = 1 then w else 0 end + 50 + x + case when wphase = 2 then w else 0 end as te
  from (
    select i,
           timestamp with time zone '2024-10-10 00:00:00+00' + interval '1' second * (i * 62208000 / {n}) as t0,
           'svc' || mod(i, 50) as svc,
           case mod(i, 4) when 0 then 'production' when 1 then 'dev' when 2 then 'test' else 'staging' end as env,
           case when i > {n} - 50 then 'UNFINISHED' when mod(i * 7919 + (i / 100) * 33, 100) < 85 then 'SUCCEEDED'
                when mod(i * 7919 + (i / 100) * 33, 100) < 91 then 'FAILED' when mod(i * 7919 + (i / 100) * 33, 100) < 95 then 'ROLLED_BACK'
                when mod(i * 7919 + (i / 100) * 33, 100) < 97 then 'EARLY_FAIL' else 'CANCELLED' end as outcome,
           case when mod(i * 104729 + (i / 100) * 47, 100) < 15 then 'LOCK' when mod(i * 104729 + (i / 100) * 47, 100) < 20 then 'WINDOW'
                when mod(i * 104729 + (i / 100) * 47, 100) < 22 then 'CHANGE' when mod(i * 104729 + (i / 100) * 47, 100) < 23 then 'SCHEDULE'
                when mod(i * 104729 + (i / 100) * 47, 100) < 28 then 'APPROVAL' when mod(i * 104729 + (i / 100) * 47, 100) < 31 then 'MANUAL'
                when mod(i * 104729 + (i / 100) * 47, 100) < 32 then 'DECISION' end as wk,
           case when mod(i * 104729 + (i / 100) * 47, 100) < 23 then 1 when mod(i * 104729 + (i / 100) * 47, 100) < 32 then 2 else 0 end as wphase,
           30 + mod(i, 300) as p, 60 + mod(i * 31, 3600) as w, 120 + mod(i * 13, 600) as x
      from (select i from {series}) s
  ) g
;
insert into deployments (id, service, component, version, environment, model, model_version, stage, state,
                         requested_by, requested_at, reason, started_at, finished_at, kind, planned_start, priority,
                         row_version)
select i, svc, 'web', '1.0', env, 'std', 1, 'main',
       case outcome when 'EARLY_FAIL' then 'FAILED' when 'UNFINISHED' then 'PLANNED' else outcome end,
       'user' || mod(i, 20), t0, 'bench',
       case when outcome = 'CANCELLED' then null else t0 + interval '1' second * tp end,
       case outcome when 'SUCCEEDED' then t0 + interval '1' second * (te + 60)
                    when 'FAILED' then t0 + interval '1' second * te
                    when 'ROLLED_BACK' then t0 + interval '1' second * (te + 120)
                    when 'EARLY_FAIL' then t0 + interval '1' second * (tp + 20)
                    when 'CANCELLED' then t0 + interval '1' second * p end,
       'DEPLOY', case when wk = 'SCHEDULE' then t0 + interval '1' second * (tp - mod(i, 1800)) end, 0, 0
  from bench_plan
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0, 'TRANSITION', 'REQUESTED', 'admin', 'bench' from bench_plan
;
insert into deployment_events (deployment_id, at, kind, actor, message, waiting_for)
select i, t0 + interval '1' second * p, 'WAIT', 'gantry', 'waiting', wk from bench_plan
 where wphase = 1 and outcome <> 'CANCELLED'
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * p, 'TRANSITION', 'CANCELLED', 'admin', 'bench' from bench_plan
 where outcome = 'CANCELLED'
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * tp, 'TRANSITION', 'PLANNED', 'gantry', 'bench' from bench_plan
 where outcome <> 'CANCELLED'
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * (tp + 20), 'TRANSITION', 'FAILED', 'gantry', 'bench' from bench_plan
 where outcome = 'EARLY_FAIL'
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * (tp + 20), 'TRANSITION', 'COMPONENTS_VERIFIED', 'gantry', 'bench' from bench_plan
 where outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * (tp + 50), 'TRANSITION', 'ENVIRONMENT_VERIFIED', 'gantry', 'bench' from bench_plan
 where outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * (tp + 50), 'TRANSITION', 'EXECUTING', 'gantry', 'bench' from bench_plan
 where outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, target, step, actor, message)
select i, t0 + interval '1' second * (tp + 60), 'STEP', 't1', 'install', 'gantry', 'started' from bench_plan
 where outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, actor, message, waiting_for)
select i, t0 + interval '1' second * (tp + 90), 'WAIT', 'gantry', 'waiting', wk from bench_plan
 where wphase = 2 and outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, target, step, actor, message)
select i, t0 + interval '1' second * (tp + 90 + w), 'STEP', 't1', 'install', 'admin', 'decided' from bench_plan
 where wphase = 2 and outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, target, step, actor, message)
select i, t0 + interval '1' second * te, 'STEP', 't1', 'install', 'gantry', 'ended' from bench_plan
 where outcome in ('SUCCEEDED', 'FAILED')
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * te, 'TRANSITION',
       case outcome when 'SUCCEEDED' then 'VERIFYING' when 'FAILED' then 'FAILED' else 'ROLLING_BACK' end,
       'gantry', 'bench'
  from bench_plan where outcome in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
;
insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
select i, t0 + interval '1' second * (te + case outcome when 'SUCCEEDED' then 60 else 120 end), 'TRANSITION',
       outcome, 'gantry', 'bench'
  from bench_plan where outcome in ('SUCCEEDED', 'ROLLED_BACK')
;
insert into incidents (service, environment, severity, title, detected_at, resolved_at, deployment_id, linked_by,
                       reported_by, reported_at)
select svc, env, 1 + mod(i, 4), 'bench', t0 + interval '1' second * (te + 3660),
       t0 + interval '1' second * (te + 3660 + 600 + mod(i, 14400)), i, 'RULE', 'desk',
       t0 + interval '1' second * (te + 3660)
  from bench_plan where env = 'production' and outcome = 'SUCCEEDED' and mod(i * 17 + (i / 100) * 29, 100) < 3
;
insert into incident_remediations (incident_id, deployment_id, marked_by, marked_at)
select n.id, n.deployment_id + 200, 'desk', n.detected_at from incidents n
 where mod(n.id, 2) = 0 and n.deployment_id + 200 <= {n} - 50
;
insert into deployment_ratings (deployment_id, rated_by, lead_time, quality, comment, rated_at, deployment_finished_at)
select i, 'user' || mod(i, 20), 1 + mod(i, 5), 1 + mod(i * 3, 5), case when mod(i, 100) = 0 then 'fine' end,
       t0 + interval '1' second * (te + 120), t0 + interval '1' second * (te + 60)
  from bench_plan where outcome = 'SUCCEEDED' and mod(i * 11, 100) < 10
;
drop table bench_plan
;
