-- Rollback of 20251014000002_shared_contact_keys_counted_per_statement: one probe per written row
-- again (the trigger of 20251011000000, with the setting of 20251012000000).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.track_shared_contact_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.name_block, n.external_id) is distinct from (o.name_block, o.external_id)) then
      return null;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delete from private.duplicate_keys d
    using (select distinct o.user_id, o.name_block as block from old_rows o where o.name_block is not null) k
    where d.user_id = k.user_id and d.kind = 'name' and d.match_key = k.block::text
      and (select count(*) from public.contacts c
           where c.user_id = k.user_id and c.name_block = k.block) < 2;
    delete from private.duplicate_keys d
    using (select distinct o.user_id, lower(btrim(o.external_id)) as external_key from old_rows o where o.external_id is not null) k
    where d.user_id = k.user_id and d.kind = 'external_id' and d.match_key = k.external_key
      and (select count(*) from public.contacts c
           where c.user_id = k.user_id and c.external_id is not null and lower(btrim(c.external_id)) = k.external_key) < 2;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.duplicate_keys (user_id, kind, match_key)
    select distinct n.user_id, 'name', n.name_block::text
    from new_rows n
    where n.name_block is not null
      and exists (
        select 1 from public.contacts c
        where c.user_id = n.user_id and c.name_block = n.name_block and c.id <> n.id
        offset 0)
    union
    select distinct n.user_id, 'external_id', lower(btrim(n.external_id))
    from new_rows n
    where n.external_id is not null
      and exists (
        select 1 from public.contacts c
        where c.user_id = n.user_id and c.external_id is not null and lower(btrim(c.external_id)) = lower(btrim(n.external_id))
          and c.id <> n.id
        offset 0)
    on conflict do nothing;
  end if;
  return null;
end;
$$;

drop function private.shared_contact_keys(uuid[], bigint[], text[]);
