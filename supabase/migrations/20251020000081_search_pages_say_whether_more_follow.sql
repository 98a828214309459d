-- A search whose matches were an exact multiple of the page ended with an empty page. Nothing said
-- whether a row followed a full page, so agent-contact-search handed out a next cursor for every full
-- page, and the page after the last held nothing (README promised a null cursor after the last page).
-- Asking for one row more is no answer from outside: the search logs every call with the number of
-- results it handed over, and would count a contact the caller never received. Now:
--  - private.agent_contact_search, the search that agent-contact-search calls, can read one row past
--    the page (look_ahead), returns the page only, logs only what it returns, and says on each row,
--    in more_after, whether another result follows it (false on the last row of the last page).
--  - public.search_contacts_for_agent calls it without look_ahead: its arguments, its result and
--    its cost stay as they were (a new column would break callers that name the result's columns
--    by position, as `with ordinality as s (contact_id, ..., pos)` does).
--  - A first page whose strong matches fill it exactly lists no typos, and neither do the pages after
--    it (20251013000001); the row read past such a page is a typo, which no page will list: no row
--    follows then.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.agent_contact_search(
  agent_id uuid,
  query text,
  channel_types text[],
  group_id uuid,
  result_limit integer,
  after_score numeric,
  after_contact_id uuid,
  after_display_name text,
  after_organization text,
  look_ahead boolean
)
returns table (
  contact_id uuid,
  display_name text,
  organization text,
  channels jsonb,
  score numeric,
  match_reason text,
  more_after boolean
)
language plpgsql
volatile
rows 20
set search_path = ''
as $$
declare
  -- NFC, as contacts' names are stored: an accent typed as one character or as a letter and a
  -- combining mark (a macOS export) is the same name.
  needle constant text := normalize(lower(btrim(agent_contact_search.query)), nfc);
  returned integer;
begin
  if needle is null or char_length(needle) not between 1 and 200 then
    raise exception 'query must be 1 to 200 characters' using errcode = '22023';
  end if;
  if agent_contact_search.result_limit is null or agent_contact_search.result_limit not between 1 and 100 then
    raise exception 'result_limit must be between 1 and 100' using errcode = '22023';
  end if;
  if (agent_contact_search.after_score is null) <> (agent_contact_search.after_contact_id is null) then
    raise exception 'a cursor needs both after_score and after_contact_id' using errcode = '22023';
  end if;
  if agent_contact_search.after_contact_id is null
     and (agent_contact_search.after_display_name is not null or agent_contact_search.after_organization is not null) then
    raise exception 'after_display_name and after_organization belong to a cursor: pass after_score and after_contact_id too'
      using errcode = '22023';
  end if;
  if not agent_contact_search.channel_types
       <@ array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other'] then
    raise exception 'unknown channel type in channel_types' using errcode = '22023';
  end if;

  if agent_contact_search.group_id is not null then
    perform private.check_search_group(agent_contact_search.agent_id, agent_contact_search.group_id);
  end if;

  -- With look_ahead, one row past the page, read and dropped here: only the page leaves the function
  -- and the log. The page reads each kind of match in rank order, so its first result_limit rows are
  -- the page asked for, save one case: it lists typos when its strong matches are fewer than asked,
  -- and one more asked makes a first page filled by strong matches read a typo that no page lists.
  return query
  select r.contact_id, r.display_name, r.organization, r.channels, r.score, r.match_reason, r.more_after
  from (
    select p.*,
      case
        when not agent_contact_search.look_ahead then null
        when lead(p.n) over w is null then false
        when p.n < agent_contact_search.result_limit then true
        else not (agent_contact_search.after_score is null and p.match_reason <> 'trigram'
                  and lead(p.match_reason) over w = 'trigram')
      end as more_after
    from private.search_contacts_page(
      agent_contact_search.agent_id, needle, agent_contact_search.channel_types, agent_contact_search.group_id,
      agent_contact_search.result_limit + agent_contact_search.look_ahead::integer, agent_contact_search.after_score, agent_contact_search.after_contact_id,
      agent_contact_search.after_display_name, agent_contact_search.after_organization)
      with ordinality as p (contact_id, display_name, organization, channels, score, match_reason, n)
    window w as (order by p.n)
  ) r
  where r.n <= agent_contact_search.result_limit
  order by r.n;

  get diagnostics returned = row_count;
  perform private.record_agent_search(agent_contact_search.agent_id, needle, returned);
end;
$$;
comment on function private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean) is
  'search_contacts_for_agent, and with look_ahead whether another result follows each row (more_after; null without it): reads one row past the page, returns and logs only the page. Called by agent-contact-search.';
revoke execute on function private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean) from public;
grant execute on function private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean) to authenticated, service_role;

-- The same search, the same log, without the look-ahead.
create or replace function public.search_contacts_for_agent(
  agent_id uuid,
  query text,
  channel_types text[] default null,
  group_id uuid default null,
  result_limit integer default 20,
  after_score numeric default null,
  after_contact_id uuid default null,
  after_display_name text default null,
  after_organization text default null
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
begin
  return query
  select s.contact_id, s.display_name, s.organization, s.channels, s.score, s.match_reason
  from private.agent_contact_search(
    search_contacts_for_agent.agent_id, search_contacts_for_agent.query, search_contacts_for_agent.channel_types,
    search_contacts_for_agent.group_id, search_contacts_for_agent.result_limit, search_contacts_for_agent.after_score,
    search_contacts_for_agent.after_contact_id, search_contacts_for_agent.after_display_name,
    search_contacts_for_agent.after_organization, false) as s;
end;
$$;
