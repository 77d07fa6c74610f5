-- Analyses are no longer a canary's only: a blue-green stage analyses each target's idle slot before its
-- switch, and a stage's verification may analyse the deployment's targets. Each analysis of a deployment is
-- named by its scope: 'canary', 'switch:<target>' (the idle slot of one target) or 'verification'. The
-- canary's tables become the tables of every analysis, their rows keeping the scope 'canary'.
create table analyses (
  deployment_id   bigint        not null references deployments (id),
  scope           varchar(80)   not null,
  started_at      timestamp with time zone not null,
  ended_at        timestamp with time zone,
  passed          boolean,
  outcome         varchar(4000),
  constraint analyses_scope primary key (deployment_id, scope)
);
insert into analyses (deployment_id, scope, started_at, ended_at, passed, outcome)
  select deployment_id, 'canary', started_at, ended_at, passed, outcome from canary_analyses;
drop table canary_analyses;

alter table canary_rounds rename to analysis_rounds;
alter table analysis_rounds add column scope varchar(80) default 'canary' not null;
alter table analysis_rounds drop constraint canary_rounds_round;
alter table analysis_rounds add constraint analysis_rounds_round unique (deployment_id, scope, round_no);

alter table analysis_measurements add column scope varchar(80) default 'canary' not null;
alter table analysis_measurements drop constraint analysis_measurements_metric;
alter table analysis_measurements add constraint analysis_measurements_metric
  unique (deployment_id, scope, round_no, metric_no);
