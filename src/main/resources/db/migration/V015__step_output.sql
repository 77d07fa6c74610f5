-- A step's full output is a file under the data folder; the record keeps its last bytes (output),
-- and where the file is, how long it is and its SHA-256, so the file can be checked and fetched.
alter table step_runs add column output_file varchar(500);
alter table step_runs add column output_size bigint;
alter table step_runs add column output_sha256 varchar(64);
