-- What the period reports need of one ended deployment, worked out once from its record: the record
-- of an ended deployment never changes, so neither does this. The reports read these rows instead of
-- walking every entry of every record of the period. Everything that can still change after the end
-- (incidents, remediations, ratings, later deployments, the configuration) is read live.
-- Rows are derived: deleting them loses nothing, the next report writes them again.
create table metrics_deployment_facts (
  deployment_id      bigint        primary key references deployments (id),
  finished_at        timestamp with time zone not null,
  environment        varchar(63)   not null,
  service            varchar(63)   not null,
  component          varchar(63)   not null,
  model              varchar(63)   not null,
  model_version      int           not null,
  state              varchar(30)   not null,
  requested_at       timestamp with time zone not null,
  started_at         timestamp with time zone,
  -- it reached EXECUTING (a failure before that touched no target)
  executed           boolean       not null,
  -- its model version was in force when it started: not a retirement, not yet superseded
  model_in_force     boolean       not null,
  -- seconds from the request to the end
  lead_seconds       double precision not null,
  -- seconds from the version's commit to the end, when the version has a commit time
  commit_seconds     double precision,
  -- seconds from the planned start to the actual start, when both are known
  start_deviation    double precision,
  -- seconds from the start of the rollback to the end, for a rolled back deployment
  rollback_seconds   double precision,
  -- the value stream: process and waiting seconds in all, and in each activity it went through
  -- (both null for an activity it never was in)
  process_seconds    double precision,
  wait_seconds       double precision,
  planning_p         double precision,
  planning_w         double precision,
  component_verification_p double precision,
  component_verification_w double precision,
  environment_verification_p double precision,
  environment_verification_w double precision,
  execution_start_p  double precision,
  execution_start_w  double precision,
  execution_p        double precision,
  execution_w        double precision,
  deployment_verification_p double precision,
  deployment_verification_w double precision,
  rollback_p         double precision,
  rollback_w         double precision
);
create index metrics_deployment_facts_finished on metrics_deployment_facts (finished_at);

-- The waits of an ended deployment: seconds waited for each kind of wait in each activity.
create table metrics_deployment_waits (
  deployment_id      bigint        not null references metrics_deployment_facts (deployment_id),
  finished_at        timestamp with time zone not null,
  environment        varchar(63)   not null,
  service            varchar(63)   not null,
  model              varchar(63)   not null,
  activity           varchar(30)   not null,
  waiting_for        varchar(20)   not null,
  seconds            double precision not null
);
create index metrics_deployment_waits_finished on metrics_deployment_waits (finished_at);
create index metrics_deployment_waits_deployment on metrics_deployment_waits (deployment_id);

-- A rating carries the end of the deployment it rates, so a period's ratings are found by index.
alter table deployment_ratings add column deployment_finished_at timestamp with time zone;
update deployment_ratings set deployment_finished_at =
  (select d.finished_at from deployments d where d.id = deployment_ratings.deployment_id);
alter table deployment_ratings alter column deployment_finished_at set not null;
create index deployment_ratings_finished on deployment_ratings (deployment_finished_at);
