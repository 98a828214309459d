-- Agent search answers one ranked page from owner-scoped index scans. The candidates function took
-- every match of every kind, scored it per row (similarity, ts_rank) and left the caller to sort
-- and cut the page; it now ranks by constant scores per kind, applies the keyset cursor and the
-- page size itself, and decides access lazily in rank order. search_contacts_for_agent passes the
-- page through (same signature and answers' shape).
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.search_contact_candidates(uuid, text, text[], uuid);

-- Security definer: uses indexes RLS would block and reads grants. It authorizes the caller itself
-- (service role, or the agent's owner, or that agent's own token) before reading anything, and
-- returns one ranked page.
--
-- Ranking: exact identifier 1.0, phone typed in a national format 0.95, display name starting with
-- the query 0.92 when its words are whole words ('ada' for Ada Lovelace, not Adam) else 0.9, every
-- query word a whole name word 0.85, every query word a word prefix 0.8; typo
-- matches (trigram word similarity, at most 0.7) only when those found less than a page. Scores
-- are constant per kind so that every kind is one owner-scoped index scan with nothing computed
-- per row; ties are broken by contact id, which makes (score, contact_id) a stable keyset.
-- Access is decided per row by private.agent_can_access_contact, lazily, in rank order, so a page
-- costs the checks of about one page.
create function private.search_contact_candidates(
  agent_id uuid,
  needle text,
  channel_types text[],
  group_id uuid,
  result_limit integer,
  after_score numeric,
  after_contact_id uuid
)
returns table (contact_id uuid, score numeric, match_reason text)
language plpgsql
stable
security definer
-- At most one page: tells the planner to look the rows up by key rather than scan contacts.
rows 20
set search_path = ''
-- Typos: a query within 0.4 word-similarity of a name word is a candidate (pg_trgm's 0.6 default
-- misses transposed letters in short names).
set pg_trgm.word_similarity_threshold = 0.4
as $$
declare
  owner_id uuid;
  token_agent uuid := private.current_agent_id();
  all_channel_types constant text[] := array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other'];
  digits constant text := ltrim(regexp_replace(needle, '\D', '', 'g'), '0');
  -- A phone typed in any format: at least 7 digits, and no letters or @.
  phone_like constant boolean := char_length(digits) >= 7 and needle !~ '[[:alpha:]@]';
  -- E-mail addresses and phone numbers are identifiers, not names: only the identifier kinds run.
  name_like constant boolean := not phone_like and strpos(needle, '@') = 0;
  -- Prefixes as explicit ranges in text_pattern_ops order (byte order), not LIKE patterns: the plan
  -- PL/pgSQL caches after a few calls is generic, and only ranges keep the indexes usable in it.
  name_upper constant text := left(needle, -1) || chr(ascii(right(needle, 1)) + 1);
  suffix_key constant text := reverse(digits);
  suffix_upper constant text := left(reverse(digits), -1) || chr(ascii(right(reverse(digits), 1)) + 1);
  words constant text[] := array_remove(regexp_split_to_array(regexp_replace(needle, '[^[:alnum:]]+', ' ', 'g'), ' '), '');
  word_query tsquery;
  prefix_query tsquery;
begin
  select a.user_id into owner_id
  from public.agents a
  where a.id = search_contact_candidates.agent_id
    and a.is_active
    and (private.is_service_caller() or a.user_id = (select auth.uid()))
    and (token_agent is null or token_agent = a.id);
  if owner_id is null then
    raise exception 'agent not found' using errcode = 'P0002';
  end if;
  if cardinality(words) > 0 then
    word_query := to_tsquery('simple', array_to_string(words, ' & '));
    prefix_query := to_tsquery('simple', array_to_string(array(select w || ':*' from unnest(words) as ws (w)), ' & '));
  end if;

  return query
  with strong as (
    select ch.contact_id as id, 1.0 as score, 'exact_identifier' as reason
    from public.contact_communication_channels ch
    join public.contacts c on c.id = ch.contact_id and c.status = 'active'
    where ch.user_id = owner_id
      and ch.channel_type = any (all_channel_types)
      and (ch.normalized_identifier = needle or (phone_like and ch.normalized_identifier = '+' || digits))
      -- An agent must not be able to confirm identifiers on channels it may not see.
      and private.agent_can_access_contact(search_contact_candidates.agent_id, ch.contact_id, 'read', ch.channel_type)
    union all
    select ch.contact_id, 0.95, 'phone_suffix'
    from public.contact_communication_channels ch
    join public.contacts c on c.id = ch.contact_id and c.status = 'active'
    where phone_like
      and ch.user_id = owner_id
      and ch.channel_type in ('phone', 'sms', 'whatsapp')
      and reverse(ch.normalized_identifier) operator(pg_catalog.~>=~) suffix_key
      and reverse(ch.normalized_identifier) operator(pg_catalog.~<~) suffix_upper
      and private.agent_can_access_contact(search_contact_candidates.agent_id, ch.contact_id, 'read', ch.channel_type)
    union all
    select c.id, case when c.search_vector @@ word_query then 0.92 else 0.9 end, 'name_prefix'
    from public.contacts c
    where name_like and c.user_id = owner_id and c.status = 'active'
      and lower(c.display_name) operator(pg_catalog.~>=~) needle and lower(c.display_name) operator(pg_catalog.~<~) name_upper
    union all
    select c.id, case when c.search_vector @@ word_query then 0.85 else 0.8 end, 'full_text'
    from public.contacts c
    where name_like and prefix_query is not null and c.user_id = owner_id and c.search_vector @@ prefix_query and c.status = 'active'
  ),
  fuzzy as (
    select c.id,
      round(0.7 * greatest(extensions.word_similarity(needle, c.display_name),
                           extensions.word_similarity(needle, coalesce(c.organization, '')))::numeric, 4) as score,
      'trigram' as reason
    from public.contacts c
    where name_like and (select count(*) from strong) < search_contact_candidates.result_limit
      and c.user_id = owner_id
      and (needle operator(extensions.<%) c.display_name or needle operator(extensions.<%) c.organization)
      and c.status = 'active'
  ),
  best as (
    select distinct on (m.id) m.id, m.score, m.reason
    from (select * from strong union all select * from fuzzy) m
    order by m.id, m.score desc, m.reason
  ),
  ranked as (
    select b.id, b.score, b.reason
    from best b
    where search_contact_candidates.after_score is null
       or b.score < search_contact_candidates.after_score
       or (b.score = search_contact_candidates.after_score and b.id > search_contact_candidates.after_contact_id)
    order by b.score desc, b.id
    offset 0 -- a fence: the checks below run lazily, in rank order, until the page is full
  )
  select r.id, r.score::numeric, r.reason
  from ranked r
  where private.agent_can_access_contact(search_contact_candidates.agent_id, r.id, 'read')
    and (search_contact_candidates.group_id is null or private.contact_in_group(r.id, search_contact_candidates.group_id))
    and (search_contact_candidates.channel_types is null or exists (
      select 1 from public.contact_communication_channels ch
      where ch.contact_id = r.id and ch.user_id = owner_id
        and ch.channel_type = any (search_contact_candidates.channel_types)
        and private.agent_can_access_contact(search_contact_candidates.agent_id, r.id, 'read', ch.channel_type)))
  limit search_contact_candidates.result_limit;
end;
$$;
comment on function private.search_contact_candidates(uuid, text, text[], uuid, integer, numeric, uuid) is 'One ranked page of an agent search (owner-scoped index scans, access decided lazily in rank order); authorizes the caller first.';
revoke execute on function private.search_contact_candidates(uuid, text, text[], uuid, integer, numeric, uuid) from public;
grant execute on function private.search_contact_candidates(uuid, text, text[], uuid, integer, numeric, uuid) to authenticated, service_role;

create or replace function public.search_contacts_for_agent(
  agent_id uuid,
  query text,
  channel_types text[] default null,
  group_id uuid default null,
  result_limit integer default 20,
  after_score numeric default null,
  after_contact_id uuid default null
)
returns table (
  contact_id uuid,
  display_name text,
  organization text,
  channels jsonb,
  score numeric,
  match_reason text
)
language plpgsql
volatile
rows 20
set search_path = ''
as $$
declare
  needle constant text := lower(btrim(search_contacts_for_agent.query));
  returned integer;
begin
  if needle is null or char_length(needle) not between 1 and 200 then
    raise exception 'query must be 1 to 200 characters' using errcode = '22023';
  end if;
  if search_contacts_for_agent.result_limit is null or search_contacts_for_agent.result_limit not between 1 and 100 then
    raise exception 'result_limit must be between 1 and 100' using errcode = '22023';
  end if;
  if (search_contacts_for_agent.after_score is null) <> (search_contacts_for_agent.after_contact_id is null) then
    raise exception 'a cursor needs both after_score and after_contact_id' using errcode = '22023';
  end if;
  if not search_contacts_for_agent.channel_types
       <@ array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other'] then
    raise exception 'unknown channel type in channel_types' using errcode = '22023';
  end if;

  return query
  select c.id, c.display_name, c.organization,
    coalesce((
      select jsonb_agg(jsonb_build_object(
          'id', ch.id, 'channel_type', ch.channel_type, 'identifier', ch.identifier,
          'is_primary', ch.is_primary, 'consent_status', ch.consent_status)
        order by ch.channel_type, ch.is_primary desc, ch.id)
      from public.contact_communication_channels ch
      where ch.contact_id = c.id and ch.user_id = c.user_id
        and (search_contacts_for_agent.channel_types is null or ch.channel_type = any (search_contacts_for_agent.channel_types))
        and private.agent_can_access_contact(search_contacts_for_agent.agent_id, c.id, 'read', ch.channel_type)
    ), '[]'::jsonb),
    s.score, s.match_reason
  from private.search_contact_candidates(
    search_contacts_for_agent.agent_id, needle, search_contacts_for_agent.channel_types, search_contacts_for_agent.group_id,
    search_contacts_for_agent.result_limit, search_contacts_for_agent.after_score, search_contacts_for_agent.after_contact_id) s
  join public.contacts c on c.id = s.contact_id
  order by s.score desc, s.contact_id;

  get diagnostics returned = row_count;
  perform private.record_agent_search(search_contacts_for_agent.agent_id, needle, returned);
end;
$$;
comment on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) is
  'Contacts an agent may read that match a free-text query (name, organization, e-mail, phone in any format), best first, keyset-paged by (score, contact_id). Channels are limited to the types the agent may use. Each call is recorded in agent_contact_access_log.';
