-- Rollback of 20251014000000_owner_deletion_skips_key_upkeep: the triggers of 20251007000000 (with
-- the setting of 20251012000000) and 20251013000000 again.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.track_shared_channel_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.channel_type, n.normalized_identifier, n.contact_id)
                     is distinct from (o.channel_type, o.normalized_identifier, o.contact_id)) then
      return null;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delete from private.duplicate_keys d
    using (select distinct o.user_id, private.channel_match_key(o.channel_type, o.normalized_identifier) as match_key
           from old_rows o) k
    where d.user_id = k.user_id and d.kind = 'identifier' and d.match_key = k.match_key
      and not exists (
        select 1 from public.contact_communication_channels a
        join public.contact_communication_channels b on b.user_id = a.user_id
          and private.channel_match_key(b.channel_type, b.normalized_identifier) = k.match_key and b.contact_id <> a.contact_id
        where a.user_id = k.user_id and private.channel_match_key(a.channel_type, a.normalized_identifier) = k.match_key);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.duplicate_keys (user_id, kind, match_key)
    select distinct n.user_id, 'identifier', k.match_key
    from new_rows n
    cross join lateral (select private.channel_match_key(n.channel_type, n.normalized_identifier) as match_key offset 0) k
    where k.match_key is not null
      and exists (
        select 1 from public.contact_communication_channels ch
        where ch.user_id = n.user_id and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = k.match_key
          and ch.contact_id <> n.contact_id
        offset 0)
    on conflict do nothing;
  end if;
  return null;
end;
$$;

create or replace function private.track_contact_search_words()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- The (owner, word) pairs the statement took away from active contacts.
  removed_owners uuid[];
  removed_words text[];
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.user_id, n.status, n.search_vector) is distinct from (o.user_id, o.status, o.search_vector)) then
      return null;
    end if;
    select array_agg(r.user_id), array_agg(r.word) into removed_owners, removed_words
    from (select o.user_id, x.word from old_rows o cross join lateral unnest(tsvector_to_array(o.search_vector)) as x (word)
          where o.status = 'active'
          except
          select n.user_id, x.word from new_rows n cross join lateral unnest(tsvector_to_array(n.search_vector)) as x (word)
          where n.status = 'active') r;
  elsif tg_op = 'DELETE' then
    select array_agg(r.user_id), array_agg(r.word) into removed_owners, removed_words
    from (select distinct o.user_id, x.word from old_rows o cross join lateral unnest(tsvector_to_array(o.search_vector)) as x (word)
          where o.status = 'active') r;
  end if;
  if removed_owners is not null then
    delete from private.contact_search_words w
    using unnest(removed_owners, removed_words) as k (user_id, word)
    where w.user_id = k.user_id and w.word = k.word
      and not exists (
        select 1 from public.contacts c
        where c.user_id = k.user_id and c.status = 'active' and c.search_vector @@ private.lexeme_query(k.word));
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    -- In key order, so that two writers of the same owner's new words never wait on each other in a cycle.
    insert into private.contact_search_words (user_id, word)
    select distinct n.user_id, x.word
    from new_rows n cross join lateral unnest(tsvector_to_array(n.search_vector)) as x (word)
    where n.status = 'active'
    order by 1, 2
    on conflict do nothing;
  end if;
  return null;
end;
$$;
