-- A subject request by identifier (gdpr-export, gdpr-delete, verify_subject_erasure) found the
-- contacts holding that identifier in one spelling only, while other parts of the project hold
-- the same mailbox or number in others:
--   * E-mail: an exact address. The duplicate finder (private.channel_match_key, 20251002000002)
--     counts "Ada+crm@example.com", and for Gmail "a.da@googlemail.com", as ada@example.com's and
--     ada@gmail.com's mailbox, so a contact an import filed under the alias was neither exported
--     nor erased with its person. Mailboxes are now matched by that key, over every channel type
--     that can hold an address; dots still count outside Gmail (a.da@example.com is someone else).
--   * Numbers: a Telegram or "other" channel keeps a trunk zero after the country code
--     ("+49 030 ..." is tel:+490301234567 in its match key, an index expression 77 left alone), as
--     do channels 69 and 77 had to leave in their old form (+4402079460020: the owner held the new
--     one, or it was suppressed). Numbers are now matched under private.channel_refusal_keys (74),
--     the spellings a suppression already refuses: the number, and the other one with the trunk 0,
--     only in plans where that 0 is a trunk prefix (never Italy's or Ascension's).
-- Both read the match-key index (contact_communication_channels_match_key_idx), one probe a key,
-- through private.channels_with_match_keys: under RLS the index could not be probed (the key is a
-- function of the channel's columns, and not leakproof, so RLS checks each row before it), and a
-- request by number read every channel of its owner: 0.9 s for 557,000 channels, against 4 ms.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Definer rights to probe the index as the table's owner: RLS would test every channel of the
-- owner before the key. Only ids come out, and the caller reads the channels through its own RLS.
create function private.channels_with_match_keys(owner_id uuid, match_keys text[])
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if private.current_agent_id() is not null
     or not (private.is_service_caller() or channels_with_match_keys.owner_id = (select auth.uid())) then
    raise exception 'permission denied for the channels of another owner' using errcode = '42501';
  end if;
  return array(
    select ch.id
    from unnest(channels_with_match_keys.match_keys) as k (match_key)
    join public.contact_communication_channels ch
      on ch.user_id = channels_with_match_keys.owner_id
     and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = k.match_key
    -- The index's predicate, stated so that a generic plan can prove it too.
    where private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null
    order by ch.id);
end;
$$;
comment on function private.channels_with_match_keys(uuid, text[]) is 'Ids of the owner''s channels whose duplicate-finding match key (private.channel_match_key) is one of the keys, read from its index; the owner''s own or the service''s only, never an agent token''s.';
revoke execute on function private.channels_with_match_keys(uuid, text[]) from public;
grant execute on function private.channels_with_match_keys(uuid, text[]) to authenticated, service_role;

create or replace function private.data_subject_contact_ids(owner_id uuid, contact_id uuid, identifier_key text)
returns uuid[]
language plpgsql
stable
set search_path = ''
as $$
declare
  kind constant text := split_part(data_subject_contact_ids.identifier_key, ':', 1);
  wanted constant text := substr(data_subject_contact_ids.identifier_key, strpos(data_subject_contact_ids.identifier_key, ':') + 1);
  match_keys text[];
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
  match_keys := case kind
    -- The mailbox, as the duplicate finder keys it.
    when 'email' then array[private.channel_match_key('email', wanted)]
    -- The number in each spelling a suppression refuses (phone:+CC... becomes tel:+CC...).
    when 'phone' then array(select 'tel:' || substr(k.key, 7) from unnest(private.channel_refusal_keys('phone', wanted)) as k (key))
  end;
  if match_keys is not null then
    -- The channels found by the index, read again through the caller's RLS.
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.id = any (private.channels_with_match_keys(data_subject_contact_ids.owner_id, match_keys))
      and ch.user_id = data_subject_contact_ids.owner_id
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
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or holding the identifier key''s value on a channel of any type that can hold it: a mailbox in any spelling the duplicate finder counts as one (case, +tags, Gmail dots), a number in any spelling a suppression refuses (with or without a trunk zero); sorted (the lock order).';
