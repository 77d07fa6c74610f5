-- One row that every server locks (select ... for update) while it moves a pushed version's files into
-- the library and records the version, and while it prunes files no version references: a prune
-- then never sees a file whose version is being recorded, and a push never loses a file to a prune.
create table library_lock (
  id int primary key
);
insert into library_lock (id) values (1);
