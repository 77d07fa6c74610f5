-- PostgreSQL only: the history tables added after V025 are append-only too (see V025).
create trigger secret_events_append_only before update or delete on secret_events
  for each row execute function gantry_append_only();
create trigger secret_events_no_truncate before truncate on secret_events
  for each statement execute function gantry_append_only();
create trigger identity_events_append_only before update or delete on identity_events
  for each row execute function gantry_append_only();
create trigger identity_events_no_truncate before truncate on identity_events
  for each statement execute function gantry_append_only();
