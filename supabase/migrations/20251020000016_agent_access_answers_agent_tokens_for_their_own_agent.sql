-- private.agent_can_access_contact answered an agent token about any agent of its owner: asked with
-- another agent's id, it told which of the owner's contacts that agent may read, write or message
-- on, which the token's own grants need not cover. An agent token is now answered for its own agent
-- only; for another agent the answer is false. RLS and the search always ask about the token's own
-- agent, so nothing they allow changes. The check reads the claims inline (about 1 µs a call,
-- against 4 µs through private.current_agent_id), since RLS calls this once a row.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.agent_can_access_contact(
  agent_id uuid,
  contact_id uuid,
  required_level text default 'read',
  channel_type text default null
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  token_agent constant jsonb := auth.jwt() -> 'agent_id';
begin
  -- A token with an agent_id claim is answered for that agent only; with a null one (which
  -- private.current_agent_id refuses) for none.
  if token_agent is not null and (token_agent #>> '{}')::uuid is distinct from agent_can_access_contact.agent_id then
    return false;
  end if;
  -- PL/pgSQL rather than SQL: its plan is cached for the session, and RLS calls this per row.
  return exists (
    select 1
    from public.agent_contact_permissions p
    join public.agents a on a.id = p.agent_id and a.user_id = p.user_id and a.is_active
    join public.contacts c on c.id = agent_can_access_contact.contact_id and c.user_id = p.user_id
    where p.agent_id = agent_can_access_contact.agent_id
      and (p.user_id = (select auth.uid()) or private.is_service_caller())
      and p.valid_from <= now()
      and (p.valid_until is null or p.valid_until > now())
      and private.permission_level_rank(p.permission_level) >= private.permission_level_rank(agent_can_access_contact.required_level)
      and (agent_can_access_contact.channel_type is null or p.allowed_channel_types is null
           or agent_can_access_contact.channel_type = any (p.allowed_channel_types))
      and case p.permission_type
        when 'all_contacts' then true
        when 'specific_contacts' then exists (
          select 1 from public.agent_specific_contact_access s
          where s.agent_id = p.agent_id and s.contact_id = c.id and s.permission_id = p.id)
        when 'group' then private.contact_in_group(c.id, p.group_id)
        else false
      end
  );
end;
$$;
comment on function private.agent_can_access_contact(uuid, uuid, text, text) is 'The one access decision: may the agent act at this level on this contact (and channel type) now. Used by RLS and by search; an agent token is answered for its own agent only.';
