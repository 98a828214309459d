-- A data subject's request by e-mail address reached only e-mail channels, and one by phone number
-- only phone, SMS and WhatsApp channels. A contact holding the address as its Slack, webchat or
-- other channel (Slack users are often known by their address), or the number as its Telegram or
-- other channel, was left out of the export and kept by the erasure. A request now reaches every
-- channel type that can hold its identifier as it is stored: an address on e-mail, Slack, webchat
-- and other channels; a number (E.164) on phone, SMS, WhatsApp, Telegram and other channels. Still
-- one probe of the owner's identifier index per type.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The channel types that can hold an identifier of a kind as it is stored: what a subject request
-- by that identifier reaches (and, 20251020000006, what its erasure suppresses).
create function private.identifier_channel_types(kind text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case identifier_channel_types.kind
    when 'phone' then array['phone', 'sms', 'whatsapp', 'telegram', 'other']
    when 'email' then array['email', 'slack', 'webchat', 'other']
    else array[identifier_channel_types.kind]
  end
$$;
comment on function private.identifier_channel_types(text) is 'The channel types that can hold an identifier of the kind (email, phone) as stored: e-mail addresses on e-mail, Slack, webchat and other channels; E.164 numbers on phone, SMS, WhatsApp, Telegram and other channels.';
revoke execute on function private.identifier_channel_types(text) from public;
grant execute on function private.identifier_channel_types(text) to authenticated, service_role;

create or replace function private.data_subject_contact_ids(owner_id uuid, contact_id uuid, identifier_key text)
returns uuid[]
language plpgsql
stable
set search_path = ''
as $$
declare
  kind constant text := split_part(data_subject_contact_ids.identifier_key, ':', 1);
  wanted constant text := substr(data_subject_contact_ids.identifier_key, strpos(data_subject_contact_ids.identifier_key, ':') + 1);
  ids uuid[];
begin
  -- PL/pgSQL rather than SQL: its plans are re-made when the role changes within a transaction,
  -- so RLS is always the current caller's.
  if data_subject_contact_ids.contact_id is not null then
    select coalesce(array_agg(c.id), '{}'::uuid[]) into ids
    from public.contacts c
    where c.id = data_subject_contact_ids.contact_id and c.user_id = data_subject_contact_ids.owner_id;
  end if;
  if data_subject_contact_ids.identifier_key is not null then
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and ch.channel_type = any (private.identifier_channel_types(kind))
      and ch.normalized_identifier = wanted
      and (data_subject_contact_ids.contact_id is null or ch.contact_id = any (ids));
  end if;
  return coalesce(ids, '{}'::uuid[]);
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or holding the identifier key''s value on a channel of any type that can hold it, sorted (the lock order).';
