-- The statement triggers that keep the shared duplicate keys (contacts and channels), the search
-- words and the consent events first ask whether an update changed what they watch: "exists a new
-- row whose old row (same id) differs". Under EXISTS the planner expects an early match and joins
-- the two transition tables by a nested loop, each new row against every old row. When nothing
-- watched changed (tags or labels edited, an import's update batch renaming contacts that have no
-- organization, hence no name block) no match ends it early: 2,000 rows, 4,000,000 comparisons,
-- 0.3 s per trigger, in any session. Plans of static queries are also made once per session, for
-- the transition tables' size at the first statement: the consent trigger's insert, first planned
-- for a one-row change, paired a later 2,000-row change the same way (0.39 s instead of 0.05 s);
-- recall_withdrawn_addresses' first check then scanned the new rows once per remembered withdrawn
-- address of every owner (20,000 addresses: 1.7 s).
-- Now (the rest of each function as it was):
--  - the four checks compare the rows as sets (EXCEPT), hashed or sorted once. A row given another
--    id (only the service can) counts as changed there, where the join took it for unchanged and
--    left its keys and search words stale; the upkeep that follows now brings them up to date;
--  - record_channel_consent_updates tells a return to unknown by INTERSECT of the ids, and its
--    insert pairs each new row with its old one by a window over both, sorted by id (EXECUTE, planned
--    for each statement, would also do, at 0.2 ms more per one-row change of consent);
--  - recall_withdrawn_addresses looks up the memory by the array of the new rows' owners.
-- Redefines track_shared_contact_keys (20251014000002), track_shared_channel_keys and
-- track_contact_search_words (20251014000000), record_channel_consent_updates (20251020000027) and
-- recall_withdrawn_addresses (20251020000044).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.track_shared_contact_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
declare
  owners uuid[];
  blocks bigint[];
  external_keys text[];
begin
  -- Deleted with their owner: their keys go by cascade (as for channels, 20251014000000).
  if tg_op = 'DELETE' then
    if not exists (select 1 from old_rows o join auth.users u on u.id = o.user_id) then
      return null;
    end if;
  end if;
  if tg_op = 'UPDATE' then
    -- As sets, not as a join: an EXISTS over the join was a nested loop (20251020000063).
    if not exists (select n.id, n.name_block, n.external_id from new_rows n
                   except
                   select o.id, o.name_block, o.external_id from old_rows o) then
      return null;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    -- The keys the statement took from contacts stay only while two contacts still hold them.
    select array_agg(distinct o.user_id), array_agg(distinct o.name_block) filter (where o.name_block is not null),
           array_agg(distinct lower(btrim(o.external_id))) filter (where o.external_id is not null)
    into owners, blocks, external_keys
    from old_rows o;
    delete from private.duplicate_keys d
    where d.user_id = any (owners)
      and ((d.kind = 'name' and d.match_key = any (blocks::text[]))
           or (d.kind = 'external_id' and d.match_key = any (external_keys)))
      and (d.user_id, d.kind, d.match_key) not in (
        select s.user_id, s.kind, s.match_key from private.shared_contact_keys(owners, blocks, external_keys) s);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    select array_agg(distinct n.user_id), array_agg(distinct n.name_block) filter (where n.name_block is not null),
           array_agg(distinct lower(btrim(n.external_id))) filter (where n.external_id is not null)
    into owners, blocks, external_keys
    from new_rows n;
    insert into private.duplicate_keys (user_id, kind, match_key)
    select s.user_id, s.kind, s.match_key from private.shared_contact_keys(owners, blocks, external_keys) s
    on conflict do nothing;
  end if;
  return null;
end;
$$;

create or replace function private.track_shared_channel_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
begin
  -- Deleted with their owner (the cascade from auth.users): the owner's keys go by cascade too, and
  -- re-checking each one against the indexes, which still hold the deleted rows, took minutes.
  if tg_op = 'DELETE' then
    if not exists (select 1 from old_rows o join auth.users u on u.id = o.user_id) then
      return null;
    end if;
  end if;
  if tg_op = 'UPDATE' then
    -- As sets, not as a join: an EXISTS over the join was a nested loop (20251020000063).
    if not exists (select n.id, n.channel_type, n.normalized_identifier, n.contact_id from new_rows n
                   except
                   select o.id, o.channel_type, o.normalized_identifier, o.contact_id from old_rows o) then
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
  -- Deleted with their owner (the cascade from auth.users): the owner's keys go by cascade too, and
  -- re-checking each one against the indexes, which still hold the deleted rows, took minutes.
  if tg_op = 'DELETE' then
    if not exists (select 1 from old_rows o join auth.users u on u.id = o.user_id) then
      return null;
    end if;
  end if;
  if tg_op = 'UPDATE' then
    -- As sets, not as a join: an EXISTS over the join was a nested loop (20251020000063).
    if not exists (select n.id, n.user_id, n.status, n.search_vector from new_rows n
                   except
                   select o.id, o.user_id, o.status, o.search_vector from old_rows o) then
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

create or replace function private.record_channel_consent_updates()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Most updates of channels leave consent alone (and statement triggers fire for empty ones).
  -- As sets, not as a join: an EXISTS over the join was a nested loop (20251020000063).
  if not exists (select n.id, n.consent_status, n.consent_source from new_rows n
                 except
                 select o.id, o.consent_status, o.consent_source from old_rows o) then
    return null;
  end if;
  if exists (select n.id from new_rows n where n.consent_status = 'unknown'
             intersect
             select o.id from old_rows o where o.consent_status <> 'unknown') then
    raise exception 'consent cannot go back to unknown; record a withdrawal instead' using errcode = '23514';
  end if;
  -- Each new row meets its old row (same id) by sorting both together, not by a join: the join's
  -- plan, made for the session's first change of consent (one row), paired the rows of a later
  -- 2,000-row change by a nested loop.
  insert into public.contact_consent_events
    (user_id, contact_id, channel_id, channel_type, status, source, source_ref, occurred_at, actor_user_id, actor_agent_id)
  select n.user_id, n.contact_id, n.id, n.channel_type, n.consent_status, w.source,
    nullif(btrim(substr(n.consent_source, char_length(w.source) + 2)), ''), coalesce(n.consent_updated_at, now()),
    (select auth.uid()), private.current_agent_id()
  from (select r.*, lag(r.is_new) over p is false as paired,
          lag(r.consent_status) over p as old_status, lag(r.consent_source) over p as old_source
        from (select true as is_new, n.user_id, n.contact_id, n.id, n.channel_type, n.consent_status, n.consent_source,
                n.consent_updated_at
              from new_rows n
              union all
              select false, null, null, o.id, null, o.consent_status, o.consent_source, null from old_rows o) r
        window p as (partition by r.id order by r.is_new)) n
  cross join lateral (select split_part(n.consent_source, ' ', 1) as source) w
  where n.is_new and n.paired and n.consent_status <> 'unknown'
    and (n.consent_status, n.consent_source) is distinct from (n.old_status, n.old_source)
    and not exists (
      select 1
      from (select e.status, left(e.source || coalesce(' ' || e.source_ref, ''), 200) as consent_source
            from public.contact_consent_events e
            where e.channel_id = n.id and e.contact_id = n.contact_id and e.user_id = n.user_id and e.channel_type = n.channel_type
              and isfinite(e.occurred_at)
            order by e.occurred_at desc, e.id desc
            limit 1) latest
      where latest.status = n.consent_status and latest.consent_source = n.consent_source);
  return null;
end;
$$;

create or replace function private.recall_withdrawn_addresses()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The owners as an array, then one probe: a join of the memory with the new rows, planned once
  -- per session for the first (one-row) statement, scanned the new rows once per remembered address
  -- of every owner (20251020000063).
  if not exists (select 1 from private.withdrawn_addresses w
                 where w.user_id = any (array(select distinct n.user_id from new_rows n where n.consent_status = 'unknown'))) then
    return null;
  end if;
  -- EXECUTE: the transition tables differ by event, and static checkers cannot see them. On an
  -- update, only channels given another address: the others were checked when they got theirs.
  -- Each channel's hash is computed once (materialized), then looked up by the key.
  execute format(
    'with keyed as materialized (
       select n.user_id, n.contact_id, n.id, n.channel_type,
         encode(extensions.hmac(convert_to(private.channel_address_key(n.channel_type, n.normalized_identifier), %L),
           k.hmac_key, %L), %L) as identifier_hmac
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       where n.consent_status = %L %s
     )
     insert into public.contact_consent_events
       (user_id, contact_id, channel_id, channel_type, status, source, source_ref, occurred_at, actor_user_id, actor_agent_id)
     select n.user_id, n.contact_id, n.id, n.channel_type, %L, %L, %L, w.withdrawn_at, (select auth.uid()), private.current_agent_id()
     from keyed n
     join private.withdrawn_addresses w on w.user_id = n.user_id and w.identifier_hmac = n.identifier_hmac
       and w.channel_type = n.channel_type
     order by n.id',
    'UTF8', 'sha256', 'hex', 'unknown',
    case when tg_op = 'UPDATE' then
      'and not exists (select 1 from old_rows o where o.id = n.id and o.channel_type = n.channel_type
                        and o.normalized_identifier = n.normalized_identifier)'
    else '' end,
    'withdrawn', 'manual', 'withdrawn earlier on a deleted channel');
  return null;
end;
$$;
