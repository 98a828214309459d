-- A statement that wrote no external id still ran the external-id count of
-- private.shared_contact_keys (20251020000095) with a null array of keys. Its generic plan walks the
-- owners' contacts through whichever index the statistics of the moment price lowest: through the
-- match index a null key reads nothing, but after rolled-back or deleted contacts leave that partial
-- index with more pages than entries, the plan walks every contact of the owner, so each batch of
-- an import without external ids read as many index entries as the owner had contacts. The count
-- now runs only for the external ids the statement wrote; the keys found are the same (pgTAP 211).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.shared_contact_keys(owners uuid[], blocks bigint[], external_keys text[])
returns table (user_id uuid, kind text, match_key text)
language plpgsql
stable
set search_path = ''
set enable_seqscan = off
set enable_bitmapscan = off
set plan_cache_mode = force_generic_plan
as $$
begin
  -- The owners and keys come distinct (array_agg(distinct ...)); a pair that no contact holds is
  -- one empty probe. Plain index scans only: a bitmap scan reads every entry of the key before the
  -- limit can stop it.
  return query
    select o.id, 'name'::text, b.block::text
    from unnest(shared_contact_keys.owners) as o (id)
    cross join unnest(shared_contact_keys.blocks) as b (block)
    where (select count(*)
           from (select 1 from public.contacts c
                 where c.user_id = o.id and c.name_block = b.block
                 limit 2) as holders) = 2;
  if coalesce(cardinality(shared_contact_keys.external_keys), 0) = 0 then
    return;
  end if;
  -- External ids are rarely shared by more than two contacts: counted in one scan of their match
  -- index for all of the statement's keys (a probe per key picks another index once a large delete
  -- has left the match index with more pages than entries; pgTAP 102).
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
  'The name blocks and external-id keys, among those given, that two or more contacts of one of the given owners hold; a name block is found shared by reading at most two of its index entries, and external ids are counted only when some are given.';
