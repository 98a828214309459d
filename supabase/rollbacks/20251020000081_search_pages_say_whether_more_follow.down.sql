-- Rollback of 20251020000081: search_contacts_for_agent as 20251020000057 defined it (its comment
-- and grants stay), and no private.agent_contact_search.
set lock_timeout = '5s';
set statement_timeout = '5min';

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

drop function private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean);
