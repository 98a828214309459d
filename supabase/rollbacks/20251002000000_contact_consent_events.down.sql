-- Rollback of 20251002000000_contact_consent_events: drops the consent history, its triggers and
-- functions, and restores private.prepare_contact_channel as 20250916000003 defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_communication_channels_record_consent_update on public.contact_communication_channels;
drop trigger contact_communication_channels_record_consent_insert on public.contact_communication_channels;
drop trigger contact_consent_events_derive_channel on public.contact_consent_events;
drop trigger contact_consent_events_protect_history on public.contact_consent_events;
drop trigger contact_consent_events_prepare on public.contact_consent_events;

create or replace function private.prepare_contact_channel()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.normalized_identifier := private.normalize_channel_identifier(new.channel_type, new.identifier);
  if new.is_verified and (tg_op = 'INSERT' or not old.is_verified) then
    new.verified_at := coalesce(new.verified_at, now());
  elsif not new.is_verified then
    new.verified_at := null;
  end if;
  if tg_op = 'INSERT' or new.consent_status is distinct from old.consent_status then
    new.consent_updated_at := case when new.consent_status = 'unknown' then null else now() end;
  end if;
  return new;
end;
$$;

drop function private.record_channel_consent_updates();
drop function private.record_channel_consent_inserts();
drop function private.derive_channel_consent();
drop function private.protect_consent_history();
drop function private.prepare_consent_event();

drop index public.contact_consent_events_user_idx;
drop index public.contact_consent_events_contact_idx;
drop index public.contact_consent_events_channel_idx;
drop table public.contact_consent_events;
