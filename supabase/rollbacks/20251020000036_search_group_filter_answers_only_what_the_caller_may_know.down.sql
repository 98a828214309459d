-- Rolls back 20251020000036_search_group_filter_answers_only_what_the_caller_may_know: restores
-- search_contacts_for_agent as 20251020000031 defined it and drops the group check.
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

  return query
  select * from private.search_contacts_page(
    search_contacts_for_agent.agent_id, needle, search_contacts_for_agent.channel_types, search_contacts_for_agent.group_id,
    search_contacts_for_agent.result_limit, search_contacts_for_agent.after_score, search_contacts_for_agent.after_contact_id,
    search_contacts_for_agent.after_display_name, search_contacts_for_agent.after_organization);

  get diagnostics returned = row_count;
  perform private.record_agent_search(search_contacts_for_agent.agent_id, needle, returned);
end;
$$;
comment on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text) is
  'Contacts an agent may read that match a free-text query (name, organization, e-mail, phone in any format), best first (score, then name, then contact id), keyset-paged after the last row (score, contact_id, and its display_name and organization as listed). Channels are limited to the types the agent may use, each with can_message: whether the agent may message on it now (grant and consent). Each call is recorded in agent_contact_access_log.';
revoke execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text) from public, anon;
grant execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text) to authenticated, service_role;

drop function private.check_search_group(uuid, uuid);
