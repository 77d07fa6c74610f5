-- The deployments waiting for a target another deployment holds, in the order they began to wait:
-- when the target is let go of, the first of them is woken (not all of them, which would each look
-- at the target again only to wait once more).
create table target_waiters (
  target          varchar(63)   not null,
  deployment_id   bigint        not null references deployments (id),
  since           timestamp with time zone not null,
  primary key (target, deployment_id)
);
create index target_waiters_deployment on target_waiters (deployment_id);
