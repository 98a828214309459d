-- Rollback of 20251020000005_subject_requests_find_identifiers_on_every_channel_type: a request
-- reaches the channels of its identifier's own kind (data_subject_contact_ids of 20251003000002).
set lock_timeout = '5s';
set statement_timeout = '5min';

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
      and ch.channel_type = any (case kind when 'phone' then array['phone', 'sms', 'whatsapp'] else array[kind] end)
      and ch.normalized_identifier = wanted
      and (data_subject_contact_ids.contact_id is null or ch.contact_id = any (ids));
  end if;
  return coalesce(ids, '{}'::uuid[]);
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or carrying the identifier key, sorted (the lock order).';

drop function private.identifier_channel_types(text);
