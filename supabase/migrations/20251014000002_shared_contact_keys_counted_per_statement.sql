-- The contacts' shared duplicate keys (name blocks and external ids) were checked with one probe per
-- written row: "does another contact of this owner hold this key". The planner picks that probe's
-- index from statistics, and after many contacts with external ids are deleted the match index keeps
-- its pages while holding few entries: priced at dozens of pages a probe, it lost to a walk of the
-- owner's contacts through (user_id, external_id), once per row. A 2,000-contact insert then read
-- 4,000,000 index entries (2.6 s), and a 100,000-contact insert did not finish in 90 s.
-- Now each statement counts the contacts holding its keys in one query per kind of key
-- (private.shared_contact_keys): through the match indexes, or at worst one walk of the owners'
-- contacts, never one per row. Its plans are generic, made once per session: planned for each call
-- with the statement's keys they cost about 0.4 ms of planning per statement (17 indexes to weigh),
-- which doubled a single-row insert; the generic plans read the match indexes with the keys as arrays.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.shared_contact_keys(owners uuid[], blocks bigint[], external_keys text[])
returns table (user_id uuid, kind text, match_key text)
language plpgsql
stable
set search_path = ''
set enable_seqscan = off
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
    select c.user_id, 'name'::text, c.name_block::text
    from public.contacts c
    where c.user_id = any (shared_contact_keys.owners) and c.name_block = any (shared_contact_keys.blocks)
    group by c.user_id, c.name_block
    having count(*) > 1;
  return query
    select c.user_id, 'external_id'::text, lower(btrim(c.external_id))
    from public.contacts c
    where c.user_id = any (shared_contact_keys.owners) and c.external_id is not null
      and lower(btrim(c.external_id)) = any (shared_contact_keys.external_keys)
    group by c.user_id, lower(btrim(c.external_id))
    having count(*) > 1;
end;
$$;
comment on function private.shared_contact_keys(uuid[], bigint[], text[]) is
  'The name blocks and external-id keys, among those given, that two or more contacts of one of the given owners hold.';
revoke execute on function private.shared_contact_keys(uuid[], bigint[], text[]) from public;

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
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.name_block, n.external_id) is distinct from (o.name_block, o.external_id)) then
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
