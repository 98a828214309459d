-- Rolls back 20250917000002_agent_access_decision_cached_plan: the SQL version.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.agent_can_access_contact(
  agent_id uuid,
  contact_id uuid,
  required_level text default 'read',
  channel_type text default null
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.agent_contact_permissions p
    join public.agents a on a.id = p.agent_id and a.user_id = p.user_id and a.is_active
    join public.contacts c on c.id = agent_can_access_contact.contact_id and c.user_id = p.user_id
    where p.agent_id = agent_can_access_contact.agent_id
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
  )
$$;
