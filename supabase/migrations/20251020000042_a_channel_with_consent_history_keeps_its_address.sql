-- Consent is recorded per channel, and a channel's address could be changed under its history:
-- editing old@example.com, withdrawn, to new@example.com made the new address withdrawn, and one
-- that was granted handed the grant and its proof ("form submission 4711") to an address that
-- never gave it, which an agent with a message grant could then write to. The history spoke of
-- an address the channel no longer holds.
-- Now a channel with consent history keeps its address: a change of its normalized identifier is
-- refused (23514, a broken rule, which PostgREST answers with 400), whoever sends it; writing the
-- same address another way (case, spacing, phone formatting) still goes through. A new address
-- is a new channel, with a history of its own.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.keep_consented_address()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.contact_consent_events e
    where e.channel_id = old.id and e.user_id = old.user_id
  ) then
    raise exception 'a channel with consent history keeps its address: add the new address as a channel of its own'
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.keep_consented_address() is 'Trigger: a channel with consent events keeps its normalized identifier (consent was given or withdrawn for that address).';
revoke execute on function private.keep_consented_address() from public;
grant execute on function private.keep_consented_address() to authenticated, service_role;

-- Named to fire after contact_communication_channels_prepare, which derives normalized_identifier.
create trigger contact_communication_channels_protect_consented_address
  before update on public.contact_communication_channels
  for each row
  when (old.normalized_identifier is distinct from new.normalized_identifier)
  execute function private.keep_consented_address();
