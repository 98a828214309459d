-- Names in two Unicode forms never matched. "Zoë" typed on a keyboard is one character (NFC, U+00EB);
-- the same name from a macOS export is "e" and a combining diaeresis (NFD). The search compared
-- them byte for byte: a query in one form found a contact stored in the other only as a weak
-- trigram match (0.35 against 0.92 for a name prefix), listed after every look-alike or not at all,
-- and the duplicate finder's name block and the search vocabulary split one name in two.
--  - Contacts' names (display name, first and last name, organization, job title) are stored NFC:
--    the trigger that derives the display name converts them first, and now also runs when only
--    the job title changes (it is in the search vector).
--  - search_contacts_for_agent converts the query to NFC as it lowers and trims it.
--  - Contacts stored before are converted once, here (their updated_at moves, as for any edit).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.fill_contact_display_name()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- Space, tab, line feed, carriage return, form feed and vertical tab (chr(11): E'' has no \v).
  whitespace constant text := E' \t\n\r\f' || chr(11);
begin
  -- One test for the usual case (every name already NFC, all ASCII ones are), the conversion only
  -- where it is needed.
  if not (concat(new.display_name, new.first_name, new.last_name, new.organization, new.job_title) is nfc normalized) then
    new.display_name := normalize(new.display_name, nfc);
    new.first_name := normalize(new.first_name, nfc);
    new.last_name := normalize(new.last_name, nfc);
    new.organization := normalize(new.organization, nfc);
    new.job_title := normalize(new.job_title, nfc);
  end if;
  new.display_name := coalesce(
    nullif(btrim(new.display_name, whitespace), ''),
    nullif(btrim(concat_ws(' ', btrim(new.first_name, whitespace), btrim(new.last_name, whitespace)), whitespace), ''),
    nullif(btrim(new.organization, whitespace), ''));
  if new.display_name is null then
    raise exception 'a contact needs a display name, a first or last name, or an organization'
      using errcode = '23502';
  end if;
  return new;
end;
$$;

drop trigger contacts_fill_display_name on public.contacts;
create trigger contacts_fill_display_name
  before insert or update of display_name, first_name, last_name, organization, job_title on public.contacts
  for each row
  execute function private.fill_contact_display_name();
comment on trigger contacts_fill_display_name on public.contacts is
  'Stores the names in NFC and derives display_name from the names or organization when it is not given; refuses a contact with no name.';
comment on function private.fill_contact_display_name() is
  'Trigger: stores the names in Unicode NFC, derives display_name when it is not given; rejects a contact with no name at all.';

update public.contacts c
set display_name = c.display_name
where not (concat(c.display_name, c.first_name, c.last_name, c.organization, c.job_title) is nfc normalized);

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
declare
  -- NFC, as contacts' names are stored: an accent typed as one character or as a letter and a
  -- combining mark (a macOS export) is the same name.
  needle constant text := normalize(lower(btrim(search_contacts_for_agent.query)), nfc);
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
  if search_contacts_for_agent.after_contact_id is null
     and (search_contacts_for_agent.after_display_name is not null or search_contacts_for_agent.after_organization is not null) then
    raise exception 'after_display_name and after_organization belong to a cursor: pass after_score and after_contact_id too'
      using errcode = '22023';
  end if;
  if not search_contacts_for_agent.channel_types
       <@ array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other'] then
    raise exception 'unknown channel type in channel_types' using errcode = '22023';
  end if;

  if search_contacts_for_agent.group_id is not null then
    perform private.check_search_group(search_contacts_for_agent.agent_id, search_contacts_for_agent.group_id);
  end if;

  return query
  select * from private.search_contacts_page(
    search_contacts_for_agent.agent_id, needle, search_contacts_for_agent.channel_types, search_contacts_for_agent.group_id,
    search_contacts_for_agent.result_limit, search_contacts_for_agent.after_score, search_contacts_for_agent.after_contact_id,
    search_contacts_for_agent.after_display_name, search_contacts_for_agent.after_organization);

  get diagnostics returned = row_count;
  perform private.record_agent_search(search_contacts_for_agent.agent_id, needle, returned);
end;
$$;
