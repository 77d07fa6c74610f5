-- The audit chain: every history row, once sealed, is one entry here. An entry holds the SHA-256 of
-- the row's canonical form and a chain hash over the entry before it, so that an edited, deleted or
-- late-inserted history row, or an edited entry, no longer matches. Entries are numbered by the sealer
-- (one at a time, under the lock row below), not by a sequence, so their order is the order sealed.
create table audit_chain (
  seq           bigint        primary key,
  table_name    varchar(63)   not null,
  row_id        bigint        not null,
  row_hash      varchar(64)   not null,
  chain_hash    varchar(64)   not null,
  sealed_at     timestamp with time zone not null,
  constraint audit_chain_row unique (table_name, row_id)
);

-- Ids the sealer skipped over while sealing a table: a transaction that took a lower id may still
-- commit after a higher one. Rows that appear in a gap are sealed while the gap is younger than the
-- grace (gantry.audit.late-commit-grace); after it, a row there is one inserted out of order.
create table audit_gaps (
  table_name    varchar(63)   not null,
  first_id      bigint        not null,
  last_id       bigint        not null,
  seen_at       timestamp with time zone not null,
  primary key (table_name, first_id)
);

-- One row, locked by the sealer for the length of its transaction: two servers never seal at once.
create table audit_seal_lock (
  id            int           primary key
);
insert into audit_seal_lock (id) values (1);
