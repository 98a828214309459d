-- An identifier written as agents receive it found nothing:
--   * a number with its trunk zero after the country code, "+44 (0)20 7946 0018" or "+44 020 7946
--     0018": channels store +442079460018 (the Edge Functions' libphonenumber, and SQL since
--     20251020000069 and 77), while the search compared +4402079460018 and numbers ending in it;
--   * an address inside a name, "John Smith <j.smith@acme.com>", or after a URI scheme,
--     "mailto:j.smith@acme.com", "tel:+14155550123", "whatsapp:+971501234567" (as Twilio names a
--     sender);
--   * a number with its extension, "+1 415 555 0123 ext. 12", "... x12".
-- gdpr-export and gdpr-delete find these contacts, and README promises the search finds an e-mail
-- or phone "in any format". Now private.agent_contact_search (so search_contacts_for_agent too)
-- takes the address out of its wrapping and the number without its extension, and reads a number
-- that holds a trunk zero as private.normalize_channel_identifier reads a phone channel. Every
-- other query goes to the search exactly as before. The access log records the identifier searched
-- for (the query itself when nothing was taken off), so that an erasure or export of the subject
-- finds the search under the spelling it is stored in. The rest of the function is 20251020000081's.
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
  -- An address in angle brackets after a name, then a URI scheme and its query part.
  unwrapped constant text := coalesce(substring(needle from '<([^<>[:space:]]*[@0-9][^<>[:space:]]*)>$'), needle);
  unschemed constant text := case when unwrapped ~ '^(mailto|tel|callto|sms|whatsapp|telegram):'
    then regexp_replace(regexp_replace(unwrapped, '^[a-z]+:(//)?', ''), '\?.*$', '') else unwrapped end;
  -- A number's extension, when what stays is a number (7 digits or more, no letter).
  bare_number constant text := regexp_replace(unschemed, '[[:space:],;]*(ext\.?|extension|x|#)[[:space:]]*[0-9]{1,6}$', '');
  identifier constant text := case
    when bare_number <> unschemed and char_length(regexp_replace(bare_number, '\D', '', 'g')) >= 7
         and bare_number !~ '[[:alpha:]@]' then btrim(bare_number)
    when btrim(unschemed) <> '' then btrim(unschemed)
    else needle end;
  digits constant text := ltrim(regexp_replace(identifier, '\D', '', 'g'), '0');
  -- A number holding a trunk zero after the country code ("+44 (0)20 ...", "+44 020 ...") is looked
  -- for as its channel stores it (20251020000069, 77).
  number constant text := case when char_length(digits) >= 7 and identifier !~ '[[:alpha:]@]'
                               then private.normalize_channel_identifier('phone', identifier) end;
  searched constant text := case when number like '+%' and number <> '+' || digits then number else identifier end;
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
      agent_contact_search.agent_id, searched, agent_contact_search.channel_types, agent_contact_search.group_id,
      agent_contact_search.result_limit + agent_contact_search.look_ahead::integer, agent_contact_search.after_score, agent_contact_search.after_contact_id,
      agent_contact_search.after_display_name, agent_contact_search.after_organization)
      with ordinality as p (contact_id, display_name, organization, channels, score, match_reason, n)
    window w as (order by p.n)
  ) r
  where r.n <= agent_contact_search.result_limit
  order by r.n;

  get diagnostics returned = row_count;
  perform private.record_agent_search(agent_contact_search.agent_id, searched, returned);
end;
$$;
comment on function private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean) is
  'search_contacts_for_agent, and with look_ahead whether another result follows each row (more_after; null without it): reads one row past the page, returns and logs only the page; an identifier is taken out of its wrapping (Name <address>, mailto:, tel:, an extension) and a number holding a trunk zero is looked for as its channel stores it. Called by agent-contact-search.';
