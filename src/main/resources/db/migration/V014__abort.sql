-- Aborts of executing deployments: written by whichever server takes the request, read by whichever
-- server's engine holds the deployment (its lease heartbeat looks for one), applied once.
create table deployment_aborts (
  deployment_id   bigint        not null primary key references deployments (id),
  requested_by    varchar(63)   not null,
  reason          varchar(2000) not null,
  requested_at    timestamp with time zone not null,
  applied_at      timestamp with time zone
);
