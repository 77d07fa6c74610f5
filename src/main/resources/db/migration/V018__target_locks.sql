-- A target runs one deployment's steps at a time, whatever the component: the deployment that holds a
-- target is written here (one row per target, so two servers on one database cannot both hold it).
-- A holder that has ended holds nothing: its row is taken over by the next deployment that asks.
create table target_locks (
  target          varchar(63)   not null primary key,
  deployment_id   bigint        not null references deployments (id),
  acquired_at     timestamp with time zone not null
);
create index target_locks_deployment on target_locks (deployment_id);
