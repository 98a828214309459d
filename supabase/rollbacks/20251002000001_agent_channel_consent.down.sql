-- Rollback of 20251002000001_agent_channel_consent: restores search_contacts_for_agent and the
-- interaction policies as 20250916000009 and 20250916000012 defined them, then drops the companion.
set lock_timeout = '5s';
set statement_timeout = '5min';

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

alter policy contact_interactions_update_policy on public.contact_interactions
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (agent_id = (select private.current_agent_id())
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'message', channel_type))))
  with check (user_id = (select auth.uid()));
alter policy contact_interactions_insert_policy on public.contact_interactions
  with check (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (agent_id = (select private.current_agent_id())
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'message', channel_type))));

drop function private.agent_can_message_on_channel(uuid, uuid, text, uuid);
