-- A deployment either installs a version or removes a component (undeploy); it may be planned for a
-- time (deploy --at) with an expected end, and carries a priority for its place in the queue of
-- deployments to the same environment and component. Waits say what kind of thing they wait for,
-- so waiting time can be measured by kind.
alter table deployments add column kind varchar(20) not null default 'DEPLOY';
alter table deployments add column planned_start timestamp with time zone;
alter table deployments add column planned_end timestamp with time zone;
alter table deployments add column priority int not null default 0;
alter table deployment_events add column waiting_for varchar(30);
create index deployment_events_kind_at on deployment_events (kind, at);
create index deployments_requested_at on deployments (requested_at);
