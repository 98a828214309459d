-- Rollback of 20251020000009_agents_cannot_enter_groups_of_grants_yet_to_start: the checks look
-- at the grants valid now only (keep_agents_within_their_grants of 20251019000008,
-- keep_agent_channels_within_their_grants of 20251020000003).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.keep_agents_within_their_grants()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  agent constant uuid := private.current_agent_id();
begin
  if agent is null then
    return null;
  end if;
  if exists (
    select 1
    from public.agent_contact_permissions p
    where p.agent_id = agent and p.user_id = new.user_id and p.permission_type = 'group'
      and p.valid_from <= now() and (p.valid_until is null or p.valid_until > now())
      and private.group_entered(p.group_id, old, new)
  ) then
    raise exception 'an agent cannot bring a contact into a group that grants it access'
      using errcode = '42501', hint = 'The owner changes the fields the group matches on.';
  end if;
  return null;
end;
$$;
comment on function private.keep_agents_within_their_grants() is 'Trigger: refuses an agent token''s update of a contact that brings it into a group one of the agent''s grants covers.';

create or replace function private.keep_agent_channels_within_their_grants()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  agent constant uuid := private.current_agent_id();
begin
  if agent is null then
    return null;
  end if;
  -- The contacts' row locks, as their updates take them: a concurrent write bringing in the other
  -- half of a group's rules (a tag, another channel) is waited for, and read below once committed.
  perform 1 from public.contacts c
  where c.id in (select n.contact_id from new_rows n)
  order by c.id
  for no key update;
  if exists (
    select 1
    from (select distinct n.contact_id, n.user_id from new_rows n) as touched
    join public.contacts c on c.id = touched.contact_id and c.user_id = touched.user_id
    cross join lateral (
      select
        array(select ch.channel_type from public.contact_communication_channels ch
              where ch.contact_id = c.id and ch.user_id = c.user_id) as after_types,
        array(select ch.channel_type from public.contact_communication_channels ch
              where ch.contact_id = c.id and ch.user_id = c.user_id
                and not exists (select 1 from new_rows n where n.id = ch.id)) as before_types
    ) as types
    join public.agent_contact_permissions p
      on p.agent_id = agent and p.user_id = c.user_id and p.permission_type = 'group'
      and p.valid_from <= now() and (p.valid_until is null or p.valid_until > now())
    -- Only a channel type new to the contact can bring it into a group.
    where not types.after_types <@ types.before_types
      and private.group_entered(p.group_id, c, c, types.before_types, types.after_types)
  ) then
    raise exception 'an agent cannot bring a contact into a group that grants it access'
      using errcode = '42501', hint = 'The owner adds channels of the types the group matches on.';
  end if;
  return null;
end;
$$;
comment on function private.keep_agent_channels_within_their_grants() is 'Trigger: refuses an agent token''s channel insert that brings a contact into a group one of the agent''s grants covers.';
