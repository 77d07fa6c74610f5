-- Seeds the console benchmark's records straight into the database (bench/console.sh): 50 services of 10
-- components each (500), 6 environments promoting one to the next, {n} deployments spread over the 3,000
-- places (about 33 each; 88 % succeeded, 6 % failed, 3 % rolled back, 3 % cancelled; the last 60 under way:
-- requested, waiting for their turn or an approval, or executing), the recent ones with their record, and one
-- more deployment to 100 targets with its target runs, step runs and record. {series} and {series10} are
-- filled in per database by the script. Written for PostgreSQL and H2 (MODE=PostgreSQL) alike.
insert into services (name, owner, labels, created_at, updated_at)
select 'svc' || i, 'team' || mod(i, 10), '{}', timestamp with time zone '2025-01-01 00:00:00+00',
       timestamp with time zone '2025-01-01 00:00:00+00'
  from {series50} s50;
insert into environments (name, purpose, controlled, owner, promotes_to, labels, created_at, updated_at)
select name, purpose, controlled, 'ops', promotes, '{}', timestamp with time zone '2025-01-01 00:00:00+00',
       timestamp with time zone '2025-01-01 00:00:00+00'
  from (values ('dev', 'development', false, '["int"]'), ('int', 'integration', false, '["test"]'),
               ('test', 'test', false, '["staging"]'), ('staging', 'staging', false, '["preprod"]'),
               ('preprod', 'staging', true, '["prod"]'), ('prod', 'production', true, '[]'))
       as e(name, purpose, controlled, promotes);
insert into deployment_models (name, current_version, retired, created_at, updated_at)
values ('std', 1, false, timestamp with time zone '2025-01-01 00:00:00+00', timestamp with time zone '2025-01-01 00:00:00+00');
insert into model_versions (model_id, number, spec, author, reason, created_at, diff)
select id, 1, 'spec', 'admin', 'bench', created_at, '' from deployment_models where name = 'std';
insert into components (service_id, name, type, model, requires, required_attributes, labels, created_at, updated_at)
select s.id, 'c' || j.i, 'software', 'std', '[]', '[]', '{}', s.created_at, s.created_at
  from services s cross join {series10} j where s.name like 'svc%';
-- deployment i goes to component mod(i, 500) in environment mod(i / 500, 6), ten minutes after i - 1
insert into deployments (id, service, component, version, environment, model, model_version, stage, state,
                         requested_by, requested_at, reason, started_at, finished_at, outcome, kind, priority,
                         row_version)
select i, 'svc' || (mod(i, 500) / 10 + 1), 'c' || (mod(i, 10) + 1), '1.' || (i / 3000) || '.' || mod(i, 7),
       case mod(i / 500, 6) when 0 then 'dev' when 1 then 'int' when 2 then 'test' when 3 then 'staging'
                            when 4 then 'preprod' else 'prod' end,
       'std', 1, 'main', st, 'user' || mod(i, 20),
       timestamp with time zone '2025-01-01 00:00:00+00' + interval '1' minute * (i * 10), 'bench',
       case when st = 'REQUESTED' then null
            else timestamp with time zone '2025-01-01 00:00:00+00' + interval '1' minute * (i * 10 + 1) end,
       case when st in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
            then timestamp with time zone '2025-01-01 00:00:00+00' + interval '1' minute * (i * 10 + 6) end,
       case st when 'FAILED' then 'step install failed on 1 of 4 targets' when 'ROLLED_BACK' then 'rolled back: health check failed'
               when 'CANCELLED' then 'cancelled by a person' when 'SUCCEEDED' then 'succeeded' end,
       'DEPLOY', 0, 5
  from (select i, case when i > {n} - 20 then 'REQUESTED' when i > {n} - 40 then 'PLANNED'
                       when i > {n} - 60 then 'EXECUTING'
                       when mod(i * 7919, 100) < 88 then 'SUCCEEDED' when mod(i * 7919, 100) < 94 then 'FAILED'
                       when mod(i * 7919, 100) < 97 then 'ROLLED_BACK' else 'CANCELLED' end as st
          from {series} g0) g;
-- the record of the last 2,000 deployments (requested, then how it ended or where it is; some of those under
-- way wait): the matrix reads the records of unfinished deployments only
insert into deployment_events (id, deployment_id, at, kind, from_state, to_state, actor, message)
select 3 * d.id, d.id, d.requested_at, 'TRANSITION', null, 'REQUESTED', d.requested_by, 'bench'
  from deployments d where d.id <= {n} and d.id > {n} - 2000;
insert into deployment_events (id, deployment_id, at, kind, from_state, to_state, actor, message)
select 3 * d.id + 1, d.id, coalesce(d.finished_at, d.started_at), 'TRANSITION', 'REQUESTED', d.state, 'gantry', 'bench'
  from deployments d where d.id <= {n} and d.id > {n} - 2000 and d.state <> 'REQUESTED';
insert into deployment_events (id, deployment_id, at, kind, actor, message, waiting_for)
select 3 * d.id + 2, d.id, d.requested_at + interval '1' second, 'WAIT', 'gantry',
       case when d.state = 'REQUESTED' then 'waiting for deployment #' || (d.id - 1) || ' (its turn)'
            else 'waiting for approval of step go-live' end,
       case when d.state = 'REQUESTED' then 'LOCK' else 'APPROVAL' end
  from deployments d where d.id > {n} - 40 and mod(d.id, 2) = 0;
-- one deployment to 100 targets of prod, with three steps on each
insert into targets (name, environment_id, kind, settings, facts, tags, created_at, updated_at)
select 'prod-' || i, (select id from environments where name = 'prod'), 'local',
       '{"path":"prod-' || i || '","labels":{}}', '{}', '[]', timestamp with time zone '2025-01-01 00:00:00+00',
       timestamp with time zone '2025-01-01 00:00:00+00'
  from {series100} t;
insert into deployments (id, service, component, version, environment, model, model_version, stage, state,
                         requested_by, requested_at, reason, started_at, finished_at, outcome, kind, priority,
                         row_version)
values ({n} + 1, 'svc1', 'c1', '2.0.0', 'prod', 'std', 1, 'main', 'SUCCEEDED', 'user1',
        timestamp with time zone '2027-01-01 00:00:00+00', 'bench: 100 targets',
        timestamp with time zone '2027-01-01 00:01:00+00', timestamp with time zone '2027-01-01 00:30:00+00',
        'succeeded on 100 targets', 'DEPLOY', 0, 5);
insert into target_runs (id, deployment_id, target, batch, state, previous_version, started_at, finished_at, outcome)
select i, {n} + 1, 'prod-' || i, (i - 1) / 10, 'SUCCEEDED', '1.9.0',
       timestamp with time zone '2027-01-01 00:01:00+00' + interval '1' second * (i * 15),
       timestamp with time zone '2027-01-01 00:01:00+00' + interval '1' second * (i * 15 + 14), 'succeeded'
  from {series100} t;
insert into step_runs (target_run_id, phase, step_index, step_name, step_type, idempotent, attempt, state, started_at,
                       finished_at, output, outcome)
select r.id, 'steps', s.i - 1, case s.i when 1 then 'install' when 2 then 'restart' else 'health' end,
       case s.i when 1 then 'artifact.install' else 'shell' end, true, 1, 'SUCCEEDED',
       r.started_at + interval '1' second * (s.i * 4), r.started_at + interval '1' second * (s.i * 4 + 3),
       'ok', 'succeeded'
  from target_runs r cross join (select i from {series10} x where i <= 3) s where r.deployment_id = {n} + 1;
insert into deployment_events (id, deployment_id, at, kind, target, step, actor, message)
select 3 * {n} + 10 + i, {n} + 1, timestamp with time zone '2027-01-01 00:01:00+00' + interval '1' second * (i * 15),
       'STEP', 'prod-' || ((i - 1) / 3 + 1), case mod(i, 3) when 1 then 'install' when 2 then 'restart' else 'health' end,
       'gantry', 'step ended: succeeded'
  from {series300} e;
