-- Rollback of 20251020000095_shared_keys_read_two_holders_at_most: shared_contact_keys as
-- 20251014000002 made it.
set lock_timeout = '5s';

create or replace function private.shared_contact_keys(owners uuid[], blocks bigint[], external_keys text[])
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
