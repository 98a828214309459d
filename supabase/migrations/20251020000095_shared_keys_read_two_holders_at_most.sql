-- A statement's shared-key trigger (20251014000002) asked, for each name block and external id the
-- statement wrote, how many of the owner's contacts hold it: `group by ... having count(*) > 1`
-- reads every entry of the key in the match index. Name blocks repeat: the Deno test that imports
-- 1,048,576 rows under the hosted limits has 776 of them (eight names at 97 companies), each held
-- by about 1,350 contacts at the end, and every 1,000-row batch touches nearly all of them, so each
-- batch read about as many index entries as the owner had contacts, more with each batch: the
-- import ran at about 1,800 rows/s over its first 400,000 rows and 1,000 rows/s near 800,000.
-- Measured directly on 131,072 contacts holding 97 blocks, a 1,000-contact insert of those blocks
-- took 145-150 ms with the old count and 112-126 ms with this one.
-- Whether a name block is shared needs two holders, not all of them: each block of the statement
-- is now one probe of the (user_id, name_block) index that stops at the second entry, whatever the
-- number of contacts holding it. External ids are counted as before. The keys found are the same
-- (pgTAP 207).
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
  -- External ids are rarely shared by more than two contacts: counted as before, in one scan of
  -- their match index for all of the statement's keys (a probe per key picks another index once
  -- a large delete has left the match index with more pages than entries; pgTAP 102).
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
  'The name blocks and external-id keys, among those given, that two or more contacts of one of the given owners hold; a name block is found shared by reading at most two of its index entries.';
