-- Rolls back 20251020000031_search_cursors_carry_their_sort_keys: restores search_contacts_for_agent
-- as 20251006000003 defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text);

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
  select * from private.search_contacts_page(
    search_contacts_for_agent.agent_id, needle, search_contacts_for_agent.channel_types, search_contacts_for_agent.group_id,
    search_contacts_for_agent.result_limit, search_contacts_for_agent.after_score, search_contacts_for_agent.after_contact_id);

  get diagnostics returned = row_count;
  perform private.record_agent_search(search_contacts_for_agent.agent_id, needle, returned);
end;
$$;
comment on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) is
  'Contacts an agent may read that match a free-text query (name, organization, e-mail, phone in any format), best first (score, then name, then contact id), keyset-paged by (score, contact_id). Channels are limited to the types the agent may use, each with can_message: whether the agent may message on it now (grant and consent). Each call is recorded in agent_contact_access_log.';
revoke execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) from public, anon;
grant execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid) to authenticated, service_role;
