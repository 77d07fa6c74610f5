-- PostgreSQL only: history rows cannot be updated or deleted, whoever connects, unless the statement
-- only writes a column the application writes once after the insert (named in the trigger's
-- arguments, which are the columns the audit chain leaves out of a row's hash): a freeze's removal,
-- a firing's deployment, an abort's application (each once, from nothing to a value), a decision's
-- application and a freeze's row version. A role that owns these tables can still drop the triggers;
-- the audit chain is what tells such an edit afterwards. H2 has no such refusal: there, the chain alone
-- tells.
create function gantry_append_only() returns trigger language plpgsql as $$
declare
  written_once text[] := '{}';
  written_freely text[] := '{}';
  arg text;
  old_row jsonb;
  new_row jsonb;
begin
  if tg_op in ('DELETE', 'TRUNCATE') then
    raise exception 'gantry: % is append-only history; its rows cannot be deleted', tg_table_name
      using errcode = '42501';
  end if;
  if tg_nargs > 0 then
    foreach arg in array tg_argv loop
      if left(arg, 1) = '~' then
        written_freely := written_freely || substr(arg, 2);
      else
        written_once := written_once || arg;
      end if;
    end loop;
  end if;
  old_row := to_jsonb(old);
  new_row := to_jsonb(new);
  if (new_row - written_once - written_freely) is distinct from (old_row - written_once - written_freely) then
    raise exception 'gantry: % is append-only history; its rows cannot be updated', tg_table_name
      using errcode = '42501';
  end if;
  foreach arg in array written_once loop
    if old_row -> arg <> 'null'::jsonb and (new_row -> arg) is distinct from (old_row -> arg) then
      raise exception 'gantry: %.% was written once and cannot change', tg_table_name, arg
        using errcode = '42501';
    end if;
  end loop;
  return new;
end
$$;

create trigger deployment_events_append_only before update or delete on deployment_events
  for each row execute function gantry_append_only();
create trigger deployment_events_no_truncate before truncate on deployment_events
  for each statement execute function gantry_append_only();
create trigger decisions_append_only before update or delete on decisions
  for each row execute function gantry_append_only('~applied_at');
create trigger decisions_no_truncate before truncate on decisions
  for each statement execute function gantry_append_only();
create trigger evidence_append_only before update or delete on evidence
  for each row execute function gantry_append_only();
create trigger evidence_no_truncate before truncate on evidence
  for each statement execute function gantry_append_only();
create trigger deployment_aborts_append_only before update or delete on deployment_aborts
  for each row execute function gantry_append_only('applied_at');
create trigger deployment_aborts_no_truncate before truncate on deployment_aborts
  for each statement execute function gantry_append_only();
create trigger change_history_append_only before update or delete on change_history
  for each row execute function gantry_append_only();
create trigger change_history_no_truncate before truncate on change_history
  for each statement execute function gantry_append_only();
create trigger change_approvals_append_only before update or delete on change_approvals
  for each row execute function gantry_append_only();
create trigger change_approvals_no_truncate before truncate on change_approvals
  for each statement execute function gantry_append_only();
create trigger change_reviews_append_only before update or delete on change_reviews
  for each row execute function gantry_append_only();
create trigger change_reviews_no_truncate before truncate on change_reviews
  for each statement execute function gantry_append_only();
create trigger release_history_append_only before update or delete on release_history
  for each row execute function gantry_append_only();
create trigger release_history_no_truncate before truncate on release_history
  for each statement execute function gantry_append_only();
create trigger model_versions_append_only before update or delete on model_versions
  for each row execute function gantry_append_only();
create trigger model_versions_no_truncate before truncate on model_versions
  for each statement execute function gantry_append_only();
create trigger config_applies_append_only before update or delete on config_applies
  for each row execute function gantry_append_only();
create trigger config_applies_no_truncate before truncate on config_applies
  for each statement execute function gantry_append_only();
create trigger freezes_append_only before update or delete on freezes
  for each row execute function gantry_append_only('removed_by', 'removed_at', 'removed_reason', '~row_version');
create trigger freezes_no_truncate before truncate on freezes
  for each statement execute function gantry_append_only();
create trigger schedule_conflicts_append_only before update or delete on schedule_conflicts
  for each row execute function gantry_append_only();
create trigger schedule_conflicts_no_truncate before truncate on schedule_conflicts
  for each statement execute function gantry_append_only();
create trigger trigger_firings_append_only before update or delete on trigger_firings
  for each row execute function gantry_append_only('deployment_id');
create trigger trigger_firings_no_truncate before truncate on trigger_firings
  for each statement execute function gantry_append_only();
create trigger audit_chain_append_only before update or delete on audit_chain
  for each row execute function gantry_append_only();
create trigger audit_chain_no_truncate before truncate on audit_chain
  for each statement execute function gantry_append_only();
