-- find_duplicate_contacts: candidate duplicate pairs of an owner's contacts, or of one contact,
-- from the match keys and indexes of 20251002000002_duplicate_contact_matching and the shared keys
-- of 20251002000003_shared_duplicate_keys, with a score and the reasons; keyset-paged, best first.
-- Owners only (agent tokens are refused); the service names the owner.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Security definer: the planner cannot use the match-key indexes under RLS (the key functions are
-- not leakproof), so the candidates are computed here, scoped to one owner, and the caller is
-- authorized first: an owner's own token (never an agent's), or the service naming an owner.
-- Owner-wide, the groups of the keys noted as shared (private.duplicate_keys) yield their pairs; for
-- one contact, the groups of its own keys. Weights: same_email 0.9, same_external_id 0.9, same_phone 0.8,
-- similar_name 0.6 x trigram similarity (at least 0.5); a pair's score is 1 - prod(1 - weight).
-- One page is returned, ordered by score, then by the pair's ids (first_contact_id the smaller), so
-- that only the page's contacts are read again by the caller.
create function private.duplicate_contact_pairs(
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
           coalesce(array_agg(private.contact_name_block(c.organization, c.display_name))
             filter (where private.contact_name_block(c.organization, c.display_name) is not null), '{}')
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
    select private.contact_name_block(c.organization, c.display_name) as block, c.id as member_id, c.display_name
    from public.contacts c
    where c.user_id = owner and private.contact_name_block(c.organization, c.display_name) = any (name_blocks)
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
revoke execute on function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid) from public;
grant execute on function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid) to authenticated, service_role;

create function public.find_duplicate_contacts(
  contact_id uuid default null,
  min_score numeric default 0.3,
  result_limit integer default 50,
  after_score numeric default null,
  after_survivor_id uuid default null,
  after_duplicate_id uuid default null,
  owner_id uuid default null
)
returns table (
  survivor_id uuid,
  duplicate_id uuid,
  score numeric,
  reasons text[],
  survivor_display_name text,
  duplicate_display_name text
)
language plpgsql
stable
set search_path = ''
as $$
begin
  if find_duplicate_contacts.min_score is null or find_duplicate_contacts.min_score not between 0 and 1 then
    raise exception 'min_score must be between 0 and 1' using errcode = '22023';
  end if;
  if find_duplicate_contacts.result_limit is null or find_duplicate_contacts.result_limit not between 1 and 200 then
    raise exception 'result_limit must be between 1 and 200' using errcode = '22023';
  end if;
  if num_nulls(find_duplicate_contacts.after_score, find_duplicate_contacts.after_survivor_id,
               find_duplicate_contacts.after_duplicate_id) not in (0, 3) then
    raise exception 'a cursor needs after_score, after_survivor_id and after_duplicate_id' using errcode = '22023';
  end if;

  -- The page's contacts are read again through the caller's RLS; the older one is suggested as
  -- survivor. Pairs are ordered by score, then by their two ids (the smaller first), whichever
  -- of them is the survivor: a cursor names the last pair in either order.
  return query
  select case when o.first_is_older then a.id else b.id end, case when o.first_is_older then b.id else a.id end,
    p.score, p.reasons,
    case when o.first_is_older then a.display_name else b.display_name end,
    case when o.first_is_older then b.display_name else a.display_name end
  from private.duplicate_contact_pairs(find_duplicate_contacts.owner_id, find_duplicate_contacts.contact_id,
    find_duplicate_contacts.min_score, find_duplicate_contacts.result_limit, find_duplicate_contacts.after_score,
    least(find_duplicate_contacts.after_survivor_id, find_duplicate_contacts.after_duplicate_id),
    greatest(find_duplicate_contacts.after_survivor_id, find_duplicate_contacts.after_duplicate_id)) p
  join public.contacts a on a.id = p.first_contact_id
  join public.contacts b on b.id = p.second_contact_id
  cross join lateral (select (a.created_at, a.id) <= (b.created_at, b.id) as first_is_older) o
  order by p.score desc, p.first_contact_id, p.second_contact_id;
end;
$$;
comment on function public.find_duplicate_contacts(uuid, numeric, integer, numeric, uuid, uuid, uuid) is
  'Candidate duplicate pairs of the caller''s contacts (or of one contact), best first, keyset-paged by score and the pair''s ids: same e-mail mailbox, same phone number across channel types, same external id up to case, similar names in one organization. The older contact of a pair is suggested as survivor. Owners only; the service names the owner.';
revoke execute on function public.find_duplicate_contacts(uuid, numeric, integer, numeric, uuid, uuid, uuid) from public, anon;
grant execute on function public.find_duplicate_contacts(uuid, numeric, integer, numeric, uuid, uuid, uuid) to authenticated, service_role;
