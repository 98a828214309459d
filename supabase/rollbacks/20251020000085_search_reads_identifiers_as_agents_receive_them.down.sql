-- Rollback of 20251020000085: private.agent_contact_search as 20251020000081 defined it (its comment
-- and grants stay).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.agent_contact_search(
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
