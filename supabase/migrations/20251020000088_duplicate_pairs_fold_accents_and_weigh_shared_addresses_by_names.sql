-- private.duplicate_contact_pairs (as 20251011000000 defined it) confirmed a name block with the
-- trigram similarity of the display names as stored, and scored a shared address the same whoever
-- held it:
--  - Accents counted against a name: 'José García' and 'Jose Garcia' of one organization share a
--    block (the sound code folds accents) but their similarity is 0.41, under the 0.5 a name match
--    needs, so they were never paired; 'Katharina Müller' and 'Katharina Mueller' scored 0.4
--    (similarity 0.667) where equal names score 0.6. The README says accents are ignored.
--  - Different people sharing an address scored as true duplicates: Nina Nash (info@) and Oscar
--    Ortiz (info+sales@, the same mailbox) 0.98, Harry and Helen Hill sharing a home number 0.8.
-- Now:
--  - Names are compared folded, at search time: lower case, accents off (the letters of
--    private.organization_match_key and a few more; ß, æ, œ spelt out), and the German spellings
--    ae, oe, ue read as ä, ö, ü, so Müller, Mueller and Muller are one name. Both sides fold
--    alike; the stored blocks and the indexes do not change.
--  - A pair sharing a mailbox or a number whose names clearly disagree gets the reason
--    names_differ and half the weight for those addresses (0.45 for a mailbox, 0.4 for a number):
--    still listed, below the pairs whose names agree. Clearly disagree: both contacts have a
--    person's name (not only their organization's), the first words of the folded names differ
--    and neither starts the other (J. / John, Alex / Alexander agree), and the folded names are
--    not alike (similarity under 0.5, where similar_name starts). A married name keeps its first
--    word and its weight. External ids are given per record by the source system, not shared by
--    people, so same_external_id keeps its weight.
--  - A Telegram username (the 'tg:' key of 20251020000086) is its own reason, same_handle, weighed
--    as a mailbox (0.9): it named such pairs same_phone.
-- Cost: names are folded as they are read (a few µs, ASCII names skip the accent table); the pairs
-- sharing an address and no similar name read their two names from the table, one primary-key
-- lookup per contact, and compare them. On a scratch owner of 7,102 contacts (bench/sql generator,
-- 600 planted duplicates, 500 people sharing another's mailbox: 667 such pairs, 1,284 names read),
-- the owner-wide first page took a median of 31 ms before and 60 ms after (5 runs of 40 calls,
-- old and new interleaved, on a loaded two-core machine); one contact's pairs, 13 ms either way.
-- The added time grows with those pairs, not with the owner's contacts.
set lock_timeout = '5s';
set statement_timeout = '5min';

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
set plan_cache_mode = force_custom_plan
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
  -- Names folded once per contact (the same expression in pair_members below). Most names are
  -- ASCII: translate, which walks its list for every letter, is left to the others.
  name_members as (
    select c.name_block as block, c.id as member_id,
      replace(replace(replace(
        case when octet_length(c.display_name) = char_length(c.display_name) then lower(c.display_name)
             else translate(replace(replace(replace(lower(c.display_name), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
               'àáâãäåāăąçćčďđèéêëēėęěìíîïīįıłñńňòóôõöøōőùúûüūůűýÿšśşșžźżřţț',
               'aaaaaaaaacccddeeeeeeeeiiiiiiilnnnoooooooouuuuuuuyysssszzzrtt') end,
        'ae', 'a'), 'oe', 'o'), 'ue', 'u') as folded_name
    from public.contacts c
    where c.user_id = owner and c.name_block = any (name_blocks)
  ),
  reasons_found (x, y, reason, weight) as (
    select distinct a.member_id, b.member_id,
      case when left(a.match_key, 5) = 'mail:' then 'same_email' when left(a.match_key, 3) = 'tg:' then 'same_handle' else 'same_phone' end,
      case when left(a.match_key, 3) = 'tel' then 0.8::float8 else 0.9::float8 end
    from identifier_members a
    join identifier_members b on b.match_key = a.match_key and b.member_id > a.member_id
    union all
    select a.member_id, b.member_id, 'same_external_id', 0.9::float8
    from external_members a
    join external_members b on b.external_key = a.external_key and b.member_id > a.member_id
    union all
    select n.x, n.y, 'similar_name', 0.6::float8 * n.similarity
    from (
      -- Names equal once folded need no trigrams.
      select a.member_id as x, b.member_id as y,
        case when a.folded_name = b.folded_name then 1::real
             else extensions.similarity(a.folded_name, b.folded_name) end as similarity
      from name_members a
      -- The block includes the organization: equal 64-bit blocks are one organization (a collision
      -- would need a name similar enough to pass the threshold as well).
      join name_members b on b.block = a.block and b.member_id > a.member_id
      offset 0 -- a fence: the similarity is computed once per pair, not again for the filter
    ) n
    where n.similarity >= 0.5
  ),
  pair_reasons as (
    select f.x, f.y, f.reason, max(f.weight) as weight
    from reasons_found f
    where duplicate_contact_pairs.contact_id is null or duplicate_contact_pairs.contact_id in (f.x, f.y)
    group by f.x, f.y, f.reason
  ),
  -- Pairs sharing an address whose names were not found alike: only these need their names read.
  address_pairs as (
    select r.x, r.y
    from pair_reasons r
    group by r.x, r.y
    having bool_or(r.reason in ('same_email', 'same_phone', 'same_handle')) and not bool_or(r.reason = 'similar_name')
  ),
  pair_members as (
    select m.id, m.folded_name,
      rtrim(split_part(btrim(m.folded_name), ' ', 1), '.,') as first_word, -- 'J.' and 'Nash,' too
      m.has_person_name
    from (
      select c.id,
        replace(replace(replace(
          case when octet_length(c.display_name) = char_length(c.display_name) then lower(c.display_name)
               else translate(replace(replace(replace(lower(c.display_name), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
                 'àáâãäåāăąçćčďđèéêëēėęěìíîïīįıłñńňòóôõöøōőùúûüūůűýÿšśşșžźżřţț',
                 'aaaaaaaaacccddeeeeeeeeiiiiiiilnnnoooooooouuuuuuuyysssszzzrtt') end,
          'ae', 'a'), 'oe', 'o'), 'ue', 'u') as folded_name,
        -- A display name that is only the organization (no name of its own) names nobody who could
        -- disagree.
        (c.first_name is not null or c.last_name is not null
          or lower(c.display_name) is distinct from lower(btrim(c.organization))) as has_person_name
      from (select p.x as id from address_pairs p union select p.y from address_pairs p) ids
      -- One primary-key lookup per contact: the limit keeps the lateral from becoming a scan of all
      -- the owner's contacts.
      cross join lateral (
        select k.id, k.display_name, k.first_name, k.last_name, k.organization
        from public.contacts k
        where k.id = ids.id and k.user_id = owner
        limit 1) c
      offset 0 -- a fence: each name is folded once, not again for its first word
    ) m
  ),
  names_differ as (
    select p.x, p.y
    from address_pairs p
    join pair_members a on a.id = p.x
    join pair_members b on b.id = p.y
    where a.has_person_name and b.has_person_name
      and not starts_with(a.first_word, b.first_word) and not starts_with(b.first_word, a.first_word)
      and extensions.similarity(a.folded_name, b.folded_name) < 0.5
  )
  select p.x, p.y, p.pair_score, p.pair_reasons
  from (
    select r.x, r.y, round((1 - exp(sum(ln(1 - r.weight))))::numeric, 4) as pair_score, array_agg(r.reason order by r.reason) as pair_reasons
    from (
      select r.x, r.y, r.reason,
        case when d.x is not null and r.reason in ('same_email', 'same_phone', 'same_handle') then r.weight / 2 else r.weight end as weight
      from pair_reasons r
      left join names_differ d on d.x = r.x and d.y = r.y
      union all
      select d.x, d.y, 'names_differ', 0::float8
      from names_differ d
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
comment on function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid) is 'One page of candidate duplicate pairs of one owner (or of one of its contacts) with score and reasons, from the match-key indexes; names compared with case and accents folded, a shared address weighs half between clearly different names; authorizes the caller first.';
