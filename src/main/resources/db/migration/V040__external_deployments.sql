-- Deployments done by other tools, recorded after the fact: a row in deployments of kind EXTERNAL,
-- already in its final state, with no work item, target run or step run (the engine never sees one),
-- and beside it what only such a record has: the tool, its link, who recorded it, and the commits it
-- brought (with their times, for the change lead time).
create table external_deployments (
  deployment_id   bigint        primary key references deployments (id),
  tool            varchar(100)  not null,
  url             varchar(2000),
  recorded_by     varchar(63)   not null,
  recorded_at     timestamp with time zone not null
);

create table deployment_commits (
  deployment_id   bigint        not null references deployments (id),
  sha             varchar(64)   not null,
  committed_at    timestamp with time zone not null,
  primary key (deployment_id, sha)
);
create index deployment_commits_sha on deployment_commits (sha);

-- The facts say which kind of deployment they are about, so reports can include or leave out the
-- external ones (facts written before this migration are all of Gantry's own deployments).
alter table metrics_deployment_facts add column kind varchar(20) not null default 'DEPLOY';

-- One row per commit counted in a successful deployment: seconds from the commit to the deployment's
-- end. Written with the facts; the change lead time is the median over these rows.
create table metrics_commit_leads (
  deployment_id   bigint        not null,
  sha             varchar(64)   not null,
  seconds         double precision not null,
  primary key (deployment_id, sha)
);
