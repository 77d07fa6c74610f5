-- PostgreSQL only, as V025: the decisions on model proposals are history; they cannot be updated or deleted.
create trigger model_agreements_append_only before update or delete on model_agreements
  for each row execute function gantry_append_only();
create trigger model_agreements_no_truncate before truncate on model_agreements
  for each statement execute function gantry_append_only();
