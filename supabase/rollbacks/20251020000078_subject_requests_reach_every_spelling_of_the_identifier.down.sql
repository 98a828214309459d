-- Rollback of 20251020000078_subject_requests_reach_every_spelling_of_the_identifier: a subject
-- request by identifier finds the exact address and the number's own match key again
-- (data_subject_contact_ids of 20251020000007).
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
  found_ids uuid[];
begin
  -- PL/pgSQL rather than SQL: its plans are re-made when the role changes within a transaction,
  -- so RLS is always the current caller's.
  if data_subject_contact_ids.contact_id is not null then
    select coalesce(array_agg(c.id), '{}'::uuid[]) into ids
    from public.contacts c
    where c.id = data_subject_contact_ids.contact_id and c.user_id = data_subject_contact_ids.owner_id;
  end if;
  if data_subject_contact_ids.identifier_key is null then
    return coalesce(ids, '{}'::uuid[]);
  end if;
  if kind = 'phone' then
    -- Every channel holding the number, in whatever spelling: the tel: match key, indexed.
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = 'tel:' || wanted
      and ch.channel_type = any (private.identifier_channel_types(kind));
  else
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and ch.channel_type = any (private.identifier_channel_types(kind))
      and ch.normalized_identifier = wanted;
  end if;
  return case when data_subject_contact_ids.contact_id is null then found_ids
              else array(select unnest(ids) intersect select unnest(found_ids) order by 1) end;
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or holding the identifier key''s value on a channel of any type that can hold it (a number in any spelling), sorted (the lock order).';

drop function private.channels_with_match_keys(uuid, text[]);
