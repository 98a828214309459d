-- An agent could widen its own grants. Given write on a contact through one grant, it could change
-- the fields a smart group matches on (tags, a custom field, the organization) and so bring the
-- contact into a group that another of its grants covers, with channel types or a level the first
-- grant withheld. An agent token's update of a contact that brings the contact into the group (or
-- a subgroup) of one of that agent's group grants, which it was not in before, is now refused
-- (42501). Leaving such a group is allowed (it only narrows), and owners, the service and other
-- writers are not concerned. A smart group matching on channel types is left to the owner:
-- agents add channels only to contacts they may write, and the rule is named in README.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Whether the contact, as `before` and as `after`, is in the group or one of its subgroups: a static
-- membership (which an update of the contact does not change) or a smart group's criteria.
create function private.group_entered(group_id uuid, before public.contacts, after public.contacts)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  with recursive tree (id, group_type, criteria) as (
    select g.id, g.group_type, g.criteria from public.contact_groups g
    where g.id = group_entered.group_id and g.user_id = group_entered.after.user_id
    union
    select g.id, g.group_type, g.criteria from public.contact_groups g join tree t on g.parent_group_id = t.id
  ),
  membership as (
    select
      bool_or(t.group_type = 'static' and exists (
        select 1 from public.contact_group_memberships m where m.group_id = t.id and m.contact_id = group_entered.after.id)) as static_member,
      bool_or(t.group_type = 'smart' and private.contact_matches_criteria(group_entered.before, t.criteria)) as matched_before,
      bool_or(t.group_type = 'smart' and private.contact_matches_criteria(group_entered.after, t.criteria)) as matches_after
    from tree t
  )
  select coalesce(m.matches_after and not m.matched_before and not m.static_member, false) from membership m
$$;
comment on function private.group_entered(uuid, public.contacts, public.contacts) is 'True when the contact as after, and not as before, is in the group or a subgroup (smart criteria; static memberships count as in both).';
revoke execute on function private.group_entered(uuid, public.contacts, public.contacts) from public;
grant execute on function private.group_entered(uuid, public.contacts, public.contacts) to authenticated, service_role;

-- Trigger: an agent token's update may not bring the contact into a group one of the agent's
-- current grants covers. Security definer: agents cannot read groups or grants themselves.
create function private.keep_agents_within_their_grants()
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
revoke execute on function private.keep_agents_within_their_grants() from public;
grant execute on function private.keep_agents_within_their_grants() to authenticated, service_role;

create trigger contacts_keep_agents_within_their_grants
  after update on public.contacts
  for each row
  when (private.current_agent_id() is not null)
  execute function private.keep_agents_within_their_grants();
