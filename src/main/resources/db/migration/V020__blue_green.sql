-- Blue-green deployments: the slot each target of a deployment went to (and the slot that was live
-- before it, to switch back to), and the slot that serves now on each target, per component.
create table slot_runs (
  deployment_id    bigint        not null references deployments (id),
  target           varchar(63)   not null,
  slot             varchar(5)    not null,
  previous_slot    varchar(5),
  previous_version varchar(100),
  chosen_at        timestamp with time zone not null,
  switched_at      timestamp with time zone,
  switched_back_at timestamp with time zone,
  constraint slot_runs_key primary key (deployment_id, target)
);

-- One row per target and component: written in the commit that records the switch (or switch back).
create table live_slots (
  target          varchar(63)   not null,
  service         varchar(63)   not null,
  component       varchar(63)   not null,
  slot            varchar(5)    not null,
  version         varchar(100)  not null,
  deployment_id   bigint        not null references deployments (id),
  switched_at     timestamp with time zone not null,
  constraint live_slots_key primary key (target, service, component)
);
