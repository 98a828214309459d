-- Rollback of 20251020000057: the display-name trigger and its function as 20250917000001 left
-- them (names as given; not on job_title alone), and search_contacts_for_agent as 20251020000036
-- defined it. Names already converted to NFC stay so.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contacts_fill_display_name on public.contacts;
create trigger contacts_fill_display_name
  before insert or update of display_name, first_name, last_name, organization on public.contacts
  for each row
  execute function private.fill_contact_display_name();
comment on trigger contacts_fill_display_name on public.contacts is
  'Derives display_name from the names or organization when it is not given; refuses a contact with no name.';

create or replace function private.fill_contact_display_name()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- Space, tab, line feed, carriage return, form feed and vertical tab (chr(11): E'' has no \v).
  whitespace constant text := E' \t\n\r\f' || chr(11);
begin
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
comment on function private.fill_contact_display_name() is
  'Trigger: derives display_name when it is not given; rejects a contact with no name at all.';

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
