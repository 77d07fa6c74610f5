-- The fencing token of a deployment's work item: raised by every claim, so that a write made under an
-- older claim (an engine that lost its lease) is refused.
alter table work_items add column fence bigint default 0 not null;
