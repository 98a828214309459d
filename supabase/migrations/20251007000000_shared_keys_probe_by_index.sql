-- The shared duplicate-key triggers of 20251002000003_shared_duplicate_keys, redefined so that a
-- statement costs in proportion to the rows it wrote: each written row looks for another contact
-- holding its key with one index probe (offset 0 keeps the correlated exists a per-row subplan;
-- as a semi-join the planner hashed the batch and scanned all of the owner's keys, computing the
-- name block of every contact, on every statement: quadratic over an import of many batches), and
-- computes its key once (offset 0 again: inlined, the key was computed for the filter, the probe
-- and the output alike).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.track_shared_channel_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
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

create or replace function private.track_shared_contact_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.organization, n.display_name, n.external_id)
                     is distinct from (o.organization, o.display_name, o.external_id)) then
      return null;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delete from private.duplicate_keys d
    using (select distinct o.user_id, private.contact_name_block(o.organization, o.display_name) as block from old_rows o) k
    where d.user_id = k.user_id and d.kind = 'name' and d.match_key = k.block::text
      and (select count(*) from public.contacts c
           where c.user_id = k.user_id and private.contact_name_block(c.organization, c.display_name) = k.block) < 2;
    delete from private.duplicate_keys d
    using (select distinct o.user_id, lower(btrim(o.external_id)) as external_key from old_rows o where o.external_id is not null) k
    where d.user_id = k.user_id and d.kind = 'external_id' and d.match_key = k.external_key
      and (select count(*) from public.contacts c
           where c.user_id = k.user_id and c.external_id is not null and lower(btrim(c.external_id)) = k.external_key) < 2;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.duplicate_keys (user_id, kind, match_key)
    select distinct n.user_id, 'name', b.block::text
    from new_rows n
    cross join lateral (select private.contact_name_block(n.organization, n.display_name) as block offset 0) b
    where b.block is not null
      and exists (
        select 1 from public.contacts c
        where c.user_id = n.user_id and private.contact_name_block(c.organization, c.display_name) = b.block and c.id <> n.id
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
