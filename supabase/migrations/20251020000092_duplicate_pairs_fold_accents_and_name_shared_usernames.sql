-- private.duplicate_contact_pairs (as 20251011000000 defined it, planned per call since
-- 20251012000002) confirmed a name block with the trigram similarity of the display names as
-- stored, and named every shared key that is not a mailbox same_phone:
--  - Accents counted against a name: 'José García' and 'Jose Garcia' of one organization share a
--    block (the sound code folds accents) but their similarity is 0.41, under the 0.5 a name match
--    needs, so they were never paired; 'Katharina Müller' and 'Katharina Mueller' scored 0.4
--    (similarity 0.667) where equal names score 0.6. The README says accents are ignored.
--  - A Telegram username shared with and without its @ (the 'tg:' key of 20251020000086) was
--    called same_phone and weighed as a number.
-- Now:
--  - Names are compared folded, at search time, by private.fold_accents (20251020000091: lower
--    case, combining marks off, the letters that do not decompose spelt out: ß, æ, œ, ø, ł, đ, ð,
--    þ, ı ...), and in a second form with German ä, ö, ü spelt ae, oe, ue; the pair takes the
--    better of the two. So Müller meets Muller and Mueller, Ertuğrul Doğan meets Ertugrul Dogan,
--    Nguyễn Thị Hương meets Nguyen Thi Huong, while two ASCII names (Michael, Michal) compare as
--    before. The stored blocks and the indexes do not change.
--  - A shared Telegram username is its own reason, same_handle, weighed as a mailbox (0.9).
-- Cost: only names with a non-ASCII letter are folded (a function call each, twice); ASCII names
-- compare as before.
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
  -- Names folded once per contact: accents off (private.fold_accents), and a second form with
  -- German ä, ö, ü spelt ae, oe, ue, so that Müller meets Muller in one and Mueller in the other.
  -- Most names are ASCII, both forms their lower case: the folding is left to the others.
  name_members as (
    select c.name_block as block, c.id as member_id, f.plain, f.umlauts
    from public.contacts c
    cross join lateral (
      select case when octet_length(c.display_name) = char_length(c.display_name) then lower(c.display_name)
                  else private.fold_accents(c.display_name) end as plain,
             case when octet_length(c.display_name) = char_length(c.display_name) then lower(c.display_name)
                  else private.fold_accents(replace(replace(replace(lower(c.display_name), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')) end as umlauts
      offset 0) f
    where c.user_id = owner and c.name_block = any (name_blocks)
  ),
  reasons_found (x, y, reason, weight) as (
    select distinct a.member_id, b.member_id,
      case when left(a.match_key, 5) = 'mail:' then 'same_email' when left(a.match_key, 3) = 'tg:' then 'same_handle' else 'same_phone' end,
      case when left(a.match_key, 4) = 'tel:' then 0.8::float8 else 0.9::float8 end
    from identifier_members a
    join identifier_members b on b.match_key = a.match_key and b.member_id > a.member_id
    union all
    select a.member_id, b.member_id, 'same_external_id', 0.9::float8
    from external_members a
    join external_members b on b.external_key = a.external_key and b.member_id > a.member_id
    union all
    select n.x, n.y, 'similar_name', 0.6::float8 * n.similarity
    from (
      -- Names equal once folded need no trigrams; two ASCII names have one form each.
      select a.member_id as x, b.member_id as y,
        case when a.plain = b.plain or a.umlauts = b.umlauts then 1::real
             when a.plain = a.umlauts and b.plain = b.umlauts then extensions.similarity(a.plain, b.plain)
             else greatest(extensions.similarity(a.plain, b.plain), extensions.similarity(a.umlauts, b.umlauts)) end as similarity
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
comment on function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid) is 'One page of candidate duplicate pairs of one owner (or of one of its contacts) with score and reasons, from the match-key indexes; names compared with case and accents folded; authorizes the caller first.';

alter function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid)
  set plan_cache_mode = force_custom_plan;
