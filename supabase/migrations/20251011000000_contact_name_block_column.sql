-- The duplicate-finding name block of a contact (private.contact_name_block), stored in a column
-- set by a trigger instead of recomputed from an expression. The block costs about 40 µs (a sound
-- code built with regular expressions), and as an index expression it was computed three or four
-- times per written contact: the partial index's predicate and key, the shared-key trigger, and
-- every ANALYZE sampling the expression's statistics. Stored, it is computed once per insert, and
-- again only when the organization or display name changes.
set lock_timeout = '5s';
set statement_timeout = '15min';

alter table public.contacts add column name_block bigint;
comment on column public.contacts.name_block is 'Duplicate-finding block: private.contact_name_block(organization, display_name), kept by trigger; null without an organization.';

-- Runs after contacts_fill_display_name (triggers of one kind fire in name order), so that a
-- display name derived from the first and last name is the one coded.
create function private.set_contact_name_block()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or (new.organization, new.display_name) is distinct from (old.organization, old.display_name)
     or new.name_block is distinct from old.name_block then
    new.name_block := private.contact_name_block(new.organization, new.display_name);
  end if;
  return new;
end;
$$;
comment on function private.set_contact_name_block() is 'Trigger: keeps contacts.name_block equal to private.contact_name_block(organization, display_name).';
revoke execute on function private.set_contact_name_block() from public;

create trigger contacts_set_name_block
before insert or update on public.contacts
for each row execute function private.set_contact_name_block();

-- Existing rows: the block is filled without firing the update triggers (no audit entries, no new
-- updated_at: nothing about the contacts changed). Row locks only; about 40 s per million contacts
-- with an organization on two cores.
set local session_replication_role = replica;
update public.contacts c
set name_block = private.contact_name_block(c.organization, c.display_name)
where c.organization is not null and c.display_name is not null;
set local session_replication_role = origin;

-- Existing table: create index concurrently cannot run inside the migration's transaction.
-- squawk-ignore require-concurrent-index-creation -- existing table; concurrently cannot run in the migration's transaction (see above).
create index contacts_user_id_name_block_idx on public.contacts (user_id, name_block)
  include (id, organization, display_name)
  where name_block is not null;
comment on index public.contacts_user_id_name_block_idx is 'Duplicate finding: contacts of an owner grouped by name block (organization and sound code of the name).';

-- squawk-ignore require-concurrent-index-deletion -- replaced by the index above in the same transaction.
drop index public.contacts_name_block_idx;

-- The shared-key triggers of 20251007000000_shared_keys_probe_by_index, reading the stored block.
create or replace function private.track_shared_contact_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
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

-- find_duplicate_contacts' pairs (20251002000004_find_duplicate_contacts), reading the stored block.
create or replace function private.duplicate_contact_pairs(
  owner_id uuid,
  contact_id uuid,
  min_score numeric,
  result_limit integer,
  after_score numeric,
  after_first_id uuid,
  after_second_id uuid
)
returns table (first_contact_id uuid, second_contact_id uuid, score numeric, reasons text[])
language plpgsql
stable
security definer
set search_path = ''
-- Index lookups of a few thousand keys and small joins: JIT compilation and parallel plans only
-- add time to them.
set jit = off
set max_parallel_workers_per_gather = 0
as $$
declare
  owner constant uuid := case when private.is_service_caller() then duplicate_contact_pairs.owner_id else (select auth.uid()) end;
  identifier_keys text[];
  external_keys text[];
  name_blocks bigint[];
begin
  if private.current_agent_id() is not null then
    raise exception 'agent tokens cannot look for duplicate contacts' using errcode = '42501';
  end if;
  if owner is null then
    raise exception 'owner_id is required for service callers' using errcode = '22023';
  end if;
  if not private.is_service_caller() and duplicate_contact_pairs.owner_id is distinct from null
     and duplicate_contact_pairs.owner_id <> owner then
    raise exception 'only the service names an owner' using errcode = '42501';
  end if;

  if duplicate_contact_pairs.contact_id is null then
    -- Owner-wide: the keys the triggers noted as shared (the pairs below confirm each).
    select coalesce(array_agg(k.match_key) filter (where k.kind = 'identifier'), '{}'),
           coalesce(array_agg(k.match_key) filter (where k.kind = 'external_id'), '{}'),
           coalesce(array_agg(k.match_key::bigint) filter (where k.kind = 'name'), '{}')
      into identifier_keys, external_keys, name_blocks
    from private.duplicate_keys k
    where k.user_id = owner;
  else
    if not exists (select 1 from public.contacts c where c.id = duplicate_contact_pairs.contact_id and c.user_id = owner) then
      raise exception 'contact not found' using errcode = 'P0002';
    end if;
    select coalesce(array_agg(distinct private.channel_match_key(ch.channel_type, ch.normalized_identifier))
             filter (where private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null), '{}')
      into identifier_keys
    from public.contact_communication_channels ch
    where ch.contact_id = duplicate_contact_pairs.contact_id and ch.user_id = owner;
    select coalesce(array_agg(lower(btrim(c.external_id))) filter (where c.external_id is not null), '{}'),
           coalesce(array_agg(c.name_block)
             filter (where c.name_block is not null), '{}')
      into external_keys, name_blocks
    from public.contacts c
    where c.id = duplicate_contact_pairs.contact_id and c.user_id = owner;
  end if;

  return query
  with identifier_members as (
    select private.channel_match_key(ch.channel_type, ch.normalized_identifier) as match_key, ch.contact_id as member_id
    from public.contact_communication_channels ch
    where ch.user_id = owner and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = any (identifier_keys)
  ),
  external_members as (
    select lower(btrim(c.external_id)) as external_key, c.id as member_id
    from public.contacts c
    where c.user_id = owner and c.external_id is not null and lower(btrim(c.external_id)) = any (external_keys)
  ),
  name_members as (
    select c.name_block as block, c.id as member_id, c.display_name
    from public.contacts c
    where c.user_id = owner and c.name_block = any (name_blocks)
  ),
  reasons_found (x, y, reason, weight) as (
    select distinct a.member_id, b.member_id,
      case when left(a.match_key, 5) = 'mail:' then 'same_email' else 'same_phone' end,
      case when left(a.match_key, 5) = 'mail:' then 0.9::float8 else 0.8::float8 end
    from identifier_members a
    join identifier_members b on b.match_key = a.match_key and b.member_id > a.member_id
    union all
    select a.member_id, b.member_id, 'same_external_id', 0.9::float8
    from external_members a
    join external_members b on b.external_key = a.external_key and b.member_id > a.member_id
    union all
    select n.x, n.y, 'similar_name', 0.6::float8 * n.similarity
    from (
      -- Names equal up to case need no trigrams (pg_trgm folds case: their similarity is 1).
      select a.member_id as x, b.member_id as y,
        case when lower(a.display_name) = lower(b.display_name) then 1::real
             else extensions.similarity(a.display_name, b.display_name) end as similarity
      from name_members a
      -- The block includes the organization: equal 64-bit blocks are one organization (a collision
      -- would need a name similar enough to pass the threshold as well).
      join name_members b on b.block = a.block and b.member_id > a.member_id
      offset 0 -- a fence: the similarity is computed once per pair, not again for the filter
    ) n
    where n.similarity >= 0.5
  )
  select p.x, p.y, p.pair_score, p.pair_reasons
  from (
    select r.x, r.y, round((1 - exp(sum(ln(1 - r.weight))))::numeric, 4) as pair_score, array_agg(r.reason order by r.reason) as pair_reasons
    from (
      select f.x, f.y, f.reason, max(f.weight) as weight
      from reasons_found f
      where duplicate_contact_pairs.contact_id is null or duplicate_contact_pairs.contact_id in (f.x, f.y)
      group by f.x, f.y, f.reason
    ) r
    group by r.x, r.y
  ) p
  where p.pair_score >= duplicate_contact_pairs.min_score
    and (duplicate_contact_pairs.after_score is null
      or p.pair_score < duplicate_contact_pairs.after_score
      or (p.pair_score = duplicate_contact_pairs.after_score
          and (p.x, p.y) > (duplicate_contact_pairs.after_first_id, duplicate_contact_pairs.after_second_id)))
  order by p.pair_score desc, p.x, p.y
  limit duplicate_contact_pairs.result_limit;
end;
$$;
comment on function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid) is 'One page of candidate duplicate pairs of one owner (or of one of its contacts) with score and reasons, from the match-key indexes; authorizes the caller first.';
