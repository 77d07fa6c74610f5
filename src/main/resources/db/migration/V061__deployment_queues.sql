-- One row per queue of deployments (a component in an environment), made the first time the queue is looked at.
-- Locking it holds off everyone else who looks at the same queue (a request, a trigger's firing, planning) until
-- the transaction ends, also while the queue is empty, when there is no deployment's row to lock: two servers'
-- triggers firing for the same version at once request it once.
create table deployment_queues (
  environment  varchar(63)  not null,
  service      varchar(63)  not null,
  component    varchar(63)  not null,
  primary key (environment, service, component)
);
