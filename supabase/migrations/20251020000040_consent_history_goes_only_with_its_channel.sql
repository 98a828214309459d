-- Consent history could be deleted event by event by the service (which holds every privilege on
-- every table, as on Supabase). protect_consent_history (20251002000000) refuses updates, even
-- the service's, but a delete went through: the channel kept the consent status derived from the
-- deleted event, and the next event recorded for it, even a backfilled older one, was derived
-- against the shortened history (a withdrawal deleted, a grant behind it took over).
-- Now an event goes only with its channel or contact: a foreign key's cascade, which runs as a
-- nested trigger. A direct delete is refused (42501), whoever sends it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.keep_consent_history()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- A cascade from the channel or contact runs inside the foreign key's trigger (depth 2 or more).
  if pg_catalog.pg_trigger_depth() < 2 then
    raise exception 'consent history cannot be deleted; it goes with its channel or contact' using errcode = '42501';
  end if;
  return old;
end;
$$;
comment on function private.keep_consent_history() is 'Trigger: consent events are deleted only with their channel or contact (a foreign key''s cascade).';
revoke execute on function private.keep_consent_history() from public;
grant execute on function private.keep_consent_history() to authenticated, service_role;

create trigger contact_consent_events_keep_history
  before delete on public.contact_consent_events
  for each row execute function private.keep_consent_history();
