-- The audit trail is evidence of who changed what, and only its triggers (private.record_contact_audit,
-- with definer rights) should write it. The service role held every privilege on it, as on every
-- public table: a secret key could insert entries naming any actor and rewrite or truncate the
-- trail, where consent history, the other evidence kept, refuses rewriting to every role.
-- The service role keeps select (it reads every owner's trail) and delete (retention of the
-- audit_log data class removes old entries); insert and truncate go. It keeps the update privilege,
-- which the row locks retention takes before deleting (select ... for update) require, and a
-- trigger refuses the update itself to every API role.
set lock_timeout = '5s';
set statement_timeout = '5min';

revoke insert, truncate on table public.contact_audit_log from service_role;

create function private.keep_audit_trail()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The database owner (migrations, maintenance) is not an API role.
  if current_user in ('authenticated', 'anon', 'service_role') then
    raise exception 'the audit trail is written by its triggers only' using errcode = '42501';
  end if;
  return null;
end;
$$;
comment on function private.keep_audit_trail() is
  'Trigger: no API role rewrites the audit trail (the service role may lock and delete entries, for retention).';
revoke execute on function private.keep_audit_trail() from public;
grant execute on function private.keep_audit_trail() to authenticated, service_role;

create trigger contact_audit_log_keep_audit_trail
  before update on public.contact_audit_log
  for each statement
  execute function private.keep_audit_trail();
comment on trigger contact_audit_log_keep_audit_trail on public.contact_audit_log is
  'The audit trail is not rewritten by any API role.';
