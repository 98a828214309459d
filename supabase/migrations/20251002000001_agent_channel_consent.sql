-- Agents message only where consent allows it. private.agent_can_message_on_channel, the
-- channel-aware companion of the one access decision (private.agent_can_access_contact), is used by
-- the RLS policies on interactions for agent tokens and by search_contacts_for_agent, which
-- reports it on every channel it returns (can_message).
-- The rule: a channel whose current consent is 'withdrawn' blocks every agent; 'granted' and
-- 'unknown' (no decision recorded yet: the opt-out regime the grants had so far) allow a message.
-- An agent's outbound message must name the channel it goes out on; inbound messages and internal
-- notes are not messaging and stay governed by the grant alone.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Security definer for the reasons of private.agent_can_access_contact, which it calls: policies
-- call it, and agent tokens cannot read grants (nor every channel) through RLS. Reads only.
-- The decision is about a message to contact C over channel H of type T, as an interaction names
-- them: a message grant on C covering T, and H one of C's channels of type T whose consent is not
-- withdrawn. A channel that is not C's of type T is the foreign key's to refuse (consent cannot be
-- read from a channel the message does not go out on); no channel at all is refused here.
create function private.agent_can_message_on_channel(agent_id uuid, contact_id uuid, channel_type text, channel_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select agent_can_message_on_channel.channel_id is not null
    and private.agent_can_access_contact(agent_can_message_on_channel.agent_id, agent_can_message_on_channel.contact_id,
          'message', agent_can_message_on_channel.channel_type)
    and not exists (
      select 1
      from public.contact_communication_channels ch
      where ch.id = agent_can_message_on_channel.channel_id
        and ch.contact_id = agent_can_message_on_channel.contact_id
        and ch.channel_type = agent_can_message_on_channel.channel_type
        and ch.consent_status = 'withdrawn'
    )
$$;
comment on function private.agent_can_message_on_channel(uuid, uuid, text, uuid) is 'The channel-aware access decision: may the agent send a message to the contact on this channel of this type now (a message grant covering the type, and the channel''s consent not withdrawn). Used by RLS on interactions and by search.';
revoke execute on function private.agent_can_message_on_channel(uuid, uuid, text, uuid) from public;
grant execute on function private.agent_can_message_on_channel(uuid, uuid, text, uuid) to authenticated, service_role;

-- interactions: an agent's outbound message needs a channel it may message on; a message queued
-- before a withdrawal can no longer be moved on by the agent (the owner still can).
alter policy contact_interactions_insert_policy on public.contact_interactions
  with check (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (agent_id = (select private.current_agent_id())
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'message', channel_type)
        and (direction <> 'outbound'
             or private.agent_can_message_on_channel((select private.current_agent_id()), contact_id, channel_type, channel_id)))));
alter policy contact_interactions_update_policy on public.contact_interactions
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (agent_id = (select private.current_agent_id())
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'message', channel_type)
        and (direction <> 'outbound'
             or private.agent_can_message_on_channel((select private.current_agent_id()), contact_id, channel_type, channel_id)))))
  with check (user_id = (select auth.uid()));

-- Redefines public.search_contacts_for_agent of 20250916000009_search_contacts_for_agent; one
-- change: each channel returned carries can_message.
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
          'is_primary', ch.is_primary, 'consent_status', ch.consent_status,
          'can_message', private.agent_can_message_on_channel(search_contacts_for_agent.agent_id, c.id, ch.channel_type, ch.id))
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
  'Contacts an agent may read that match a free-text query (name, organization, e-mail, phone in any format), best first, keyset-paged by (score, contact_id). Channels are limited to the types the agent may use, each with can_message: whether the agent may message on it now (grant and consent). Each call is recorded in agent_contact_access_log.';
