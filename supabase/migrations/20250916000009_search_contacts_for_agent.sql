-- search_contacts_for_agent: what an agent may find, ranked, with why each contact matched.
-- Candidates come from indexes in a security-definer helper scoped to the agent's owner (under RLS
-- the planner cannot use GIN indexes for ILIKE or @@); the rows returned are then read again
-- through the caller's RLS. Every search is recorded, without personal data, in an access log.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the access log this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.agent_contact_access_log (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  agent_id uuid not null,
  caller text not null,
  query_hmac text not null,
  -- squawk-ignore prefer-bigint-over-int -- a page size, at most 100.
  result_count integer not null,
  searched_at timestamptz not null default now(),
  constraint agent_contact_access_log_agent_fkey foreign key (agent_id, user_id)
    references public.agents (id, user_id) on delete cascade,
  constraint agent_contact_access_log_caller_check check (caller in ('owner', 'agent', 'service')),
  constraint agent_contact_access_log_query_hmac_check check (query_hmac ~ '^[0-9a-f]{64}$'),
  constraint agent_contact_access_log_result_count_check check (result_count between 0 and 100)
);
comment on table public.agent_contact_access_log is 'One row per agent search: who searched for which agent, when, how many results. The query is kept only as a keyed hash (HMAC under the owner''s secret): no personal data, and erasure can find and remove a subject''s searches.';
comment on column public.agent_contact_access_log.caller is 'owner (the owner''s token), agent (an agent-scoped token) or service (secret key / service role).';
comment on column public.agent_contact_access_log.query_hmac is 'HMAC-SHA-256 (hex) of the normalized query text under the owner''s key (private.owner_hmac).';
create index agent_contact_access_log_agent_idx on public.agent_contact_access_log (agent_id, user_id, searched_at desc);
comment on index public.agent_contact_access_log_agent_idx is 'An agent''s recent searches; serves the agent foreign key.';
create index agent_contact_access_log_user_idx on public.agent_contact_access_log (user_id, searched_at);
comment on index public.agent_contact_access_log_user_idx is 'An owner''s access log by time (review and retention); serves the user_id foreign key.';

alter table public.agent_contact_access_log enable row level security;
revoke all on table public.agent_contact_access_log from anon, authenticated;
grant select on table public.agent_contact_access_log to authenticated;
grant all on table public.agent_contact_access_log to service_role;
revoke all on sequence public.agent_contact_access_log_id_seq from anon, authenticated;

-- Security definer: callers cannot write the log themselves (it is append-only evidence).
create function private.record_agent_search(agent_id uuid, needle text, result_count integer)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into public.agent_contact_access_log (user_id, agent_id, caller, query_hmac, result_count)
  select a.user_id, a.id,
    case when private.current_agent_id() is not null then 'agent'
         when private.is_service_caller() then 'service' else 'owner' end,
    private.owner_hmac(a.user_id, record_agent_search.needle),
    record_agent_search.result_count
  from public.agents a
  where a.id = record_agent_search.agent_id
    and (private.is_service_caller() or a.user_id = (select auth.uid()))
$$;
comment on function private.record_agent_search(uuid, text, integer) is 'Appends a PII-free row to the agent access log.';
revoke execute on function private.record_agent_search(uuid, text, integer) from public;
grant execute on function private.record_agent_search(uuid, text, integer) to authenticated, service_role;

-- Security definer: uses indexes RLS would block and reads grants. It authorizes the caller itself
-- (service role, or the agent's owner, or that agent's own token) before reading anything.
create function private.search_contact_candidates(
  agent_id uuid,
  needle text,
  channel_types text[],
  group_id uuid
)
returns table (contact_id uuid, score numeric, match_reason text)
language plpgsql
stable
security definer
set search_path = ''
-- Typos: a query word within 0.4 word-similarity of a name word is a candidate (pg_trgm's 0.6
-- default misses transposed letters in short names).
set pg_trgm.word_similarity_threshold = 0.4
as $$
declare
  owner_id uuid;
  token_agent uuid := private.current_agent_id();
  digits constant text := ltrim(regexp_replace(needle, '\D', '', 'g'), '0');
  -- A phone typed in any format: at least 7 digits, and no letters or @.
  phone_like constant boolean := char_length(digits) >= 7 and needle !~ '[[:alpha:]@]';
  like_prefix constant text := replace(replace(replace(needle, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  words constant text[] := array_remove(regexp_split_to_array(regexp_replace(needle, '[^[:alnum:]]+', ' ', 'g'), ' '), '');
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
    prefix_query := to_tsquery('simple', array_to_string(array(select w || ':*' from unnest(words) as ws (w)), ' & '));
  end if;

  return query
  with matches as (
    select ch.contact_id, 1.0 as score, 'exact_identifier' as reason
    from public.contact_communication_channels ch
    where ch.user_id = owner_id
      and (ch.normalized_identifier = needle
        or (phone_like and ch.normalized_identifier = '+' || digits))
      -- An agent must not be able to confirm identifiers on channels it may not see.
      and private.agent_can_access_contact(search_contact_candidates.agent_id, ch.contact_id, 'read', ch.channel_type)
    union all
    select ch.contact_id, 0.95, 'phone_suffix'
    from public.contact_communication_channels ch
    where phone_like
      and ch.user_id = owner_id
      and ch.channel_type in ('phone', 'sms', 'whatsapp')
      and reverse(ch.normalized_identifier) like reverse(digits) || '%'
      and private.agent_can_access_contact(search_contact_candidates.agent_id, ch.contact_id, 'read', ch.channel_type)
    union all
    select c.id, round(0.85 + 0.1 * extensions.similarity(c.display_name, needle)::numeric, 4), 'name_prefix'
    from public.contacts c
    where c.user_id = owner_id and c.display_name ilike like_prefix
    union all
    select c.id, round(0.7 + 0.2 * least(ts_rank_cd(c.search_vector, prefix_query), 1)::numeric, 4), 'full_text'
    from public.contacts c
    where prefix_query is not null and c.user_id = owner_id and c.search_vector @@ prefix_query
    union all
    select c.id, round(0.7 * greatest(extensions.word_similarity(needle, c.display_name),
                                      extensions.word_similarity(needle, coalesce(c.organization, '')))::numeric, 4), 'trigram'
    from public.contacts c
    where c.user_id = owner_id
      and (needle operator(extensions.<%) c.display_name or needle operator(extensions.<%) c.organization)
  ),
  best as (
    select distinct on (m.contact_id) m.contact_id, m.score, m.reason
    from matches m
    order by m.contact_id, m.score desc, m.reason
  )
  select b.contact_id, b.score::numeric, b.reason
  from best b
  join public.contacts c on c.id = b.contact_id and c.status = 'active'
  where private.agent_can_access_contact(search_contact_candidates.agent_id, b.contact_id, 'read')
    and (search_contact_candidates.group_id is null or private.contact_in_group(b.contact_id, search_contact_candidates.group_id))
    and (search_contact_candidates.channel_types is null or exists (
      select 1 from public.contact_communication_channels ch
      where ch.contact_id = b.contact_id and ch.user_id = owner_id
        and ch.channel_type = any (search_contact_candidates.channel_types)
        and private.agent_can_access_contact(search_contact_candidates.agent_id, b.contact_id, 'read', ch.channel_type)));
end;
$$;
comment on function private.search_contact_candidates(uuid, text, text[], uuid) is 'Index-driven candidates of an agent search, scoped to the agent''s owner and grants; authorizes the caller first.';
revoke execute on function private.search_contact_candidates(uuid, text, text[], uuid) from public;
grant execute on function private.search_contact_candidates(uuid, text, text[], uuid) to authenticated, service_role;

create function public.search_contacts_for_agent(
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
    search_contacts_for_agent.agent_id, needle, search_contacts_for_agent.channel_types, search_contacts_for_agent.group_id) s
  join public.contacts c on c.id = s.contact_id
  where search_contacts_for_agent.after_score is null
     or s.score < search_contacts_for_agent.after_score
     or (s.score = search_contacts_for_agent.after_score and s.contact_id > search_contacts_for_agent.after_contact_id)
  order by s.score desc, s.contact_id
  limit search_contacts_for_agent.result_limit;

  get diagnostics returned = row_count;
  perform private.record_agent_search(search_contacts_for_agent.agent_id, needle, returned);
end;
$$;
comment on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) is
  'Contacts an agent may read that match a free-text query (name, organization, e-mail, phone in any format), best first, keyset-paged by (score, contact_id). Channels are limited to the types the agent may use. Each call is recorded in agent_contact_access_log.';
revoke execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) from public, anon;
grant execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) to authenticated, service_role;
