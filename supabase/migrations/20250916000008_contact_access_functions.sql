-- Access functions: smart-group evaluation, group membership, and the ONE decision of what an
-- agent may do with a contact, used by search_contacts_for_agent and by the RLS policies alike.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- read < message < write: each level includes the ones before it.
create function private.permission_level_rank(level text)
returns integer
language sql
immutable
strict
set search_path = ''
as $$
  select array_position(array['read', 'message', 'write'], permission_level_rank.level)
$$;
comment on function private.permission_level_rank(text) is 'Orders permission levels: read 1, message 2, write 3; null for an unknown level.';
revoke execute on function private.permission_level_rank(text) from public;
grant execute on function private.permission_level_rank(text) to authenticated, service_role;

-- Evaluates smart-group criteria (public.is_valid_smart_group_criteria) against one contact.
create function private.contact_matches_criteria(contact public.contacts, criteria jsonb)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
  rule jsonb;
  matched boolean;
  field_value text;
  wanted text;
  match_any constant boolean := coalesce(criteria ->> 'match', 'all') = 'any';
begin
  for rule in select r from jsonb_array_elements(criteria -> 'rules') as rules (r) loop
    wanted := lower(rule ->> 'value');
    if rule ->> 'field' = 'tags' then
      matched := case rule ->> 'op'
        when 'contains' then contact.tags @> array[rule ->> 'value']
        when 'is_empty' then cardinality(contact.tags) = 0
        else cardinality(contact.tags) > 0
      end;
    elsif rule ->> 'field' = 'channel_type' then
      matched := exists (
        select 1 from public.contact_communication_channels ch
        where ch.contact_id = contact.id and ch.user_id = contact.user_id and ch.channel_type = rule ->> 'value');
    else
      field_value := lower(case rule ->> 'field'
        when 'display_name' then contact.display_name
        when 'first_name' then contact.first_name
        when 'last_name' then contact.last_name
        when 'organization' then contact.organization
        when 'job_title' then contact.job_title
        when 'status' then contact.status
        when 'source' then contact.source
        when 'external_id' then contact.external_id
        else contact.metadata ->> substr(rule ->> 'field', 10)
      end);
      matched := coalesce(case rule ->> 'op'
        when 'equals' then field_value = wanted
        when 'not_equals' then field_value is distinct from wanted
        when 'contains' then strpos(field_value, wanted) > 0
        when 'starts_with' then left(field_value, char_length(wanted)) = wanted
        when 'in' then field_value in (select lower(v) from jsonb_array_elements_text(rule -> 'value') as vs (v))
        when 'is_empty' then coalesce(field_value, '') = ''
        when 'not_empty' then coalesce(field_value, '') <> ''
      end, false);
    end if;
    if matched = match_any then
      return match_any;
    end if;
  end loop;
  return not match_any;
end;
$$;
comment on function private.contact_matches_criteria(public.contacts, jsonb) is 'True when the contact satisfies smart-group criteria.';
revoke execute on function private.contact_matches_criteria(public.contacts, jsonb) from public;
grant execute on function private.contact_matches_criteria(public.contacts, jsonb) to authenticated, service_role;

-- Security definer: access decisions must see memberships and groups that RLS hides from agent
-- tokens. Reads only; scoped by the group's owner.
create function private.contact_in_group(contact_id uuid, group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  with recursive tree (id, user_id, group_type, criteria) as (
    select g.id, g.user_id, g.group_type, g.criteria from public.contact_groups g where g.id = contact_in_group.group_id
    union
    select g.id, g.user_id, g.group_type, g.criteria from public.contact_groups g join tree t on g.parent_group_id = t.id
  )
  select exists (
    select 1
    from tree t
    join public.contacts c on c.id = contact_in_group.contact_id and c.user_id = t.user_id
    where (t.group_type = 'static' and exists (
            select 1 from public.contact_group_memberships m where m.group_id = t.id and m.contact_id = c.id))
       or (t.group_type = 'smart' and private.contact_matches_criteria(c, t.criteria))
  )
$$;
comment on function private.contact_in_group(uuid, uuid) is 'True when the contact is a member of the group or of one of its subgroups (static or smart).';
revoke execute on function private.contact_in_group(uuid, uuid) from public;
grant execute on function private.contact_in_group(uuid, uuid) to authenticated, service_role;

-- The members of a group and its subgroups, as the caller may see them (security invoker: RLS
-- applies).
create function public.contact_group_member_ids(group_id uuid, include_subgroups boolean default true)
returns setof uuid
language sql
stable
set search_path = ''
as $$
  with recursive tree (id, user_id, group_type, criteria) as (
    select g.id, g.user_id, g.group_type, g.criteria from public.contact_groups g where g.id = contact_group_member_ids.group_id
    union
    select g.id, g.user_id, g.group_type, g.criteria from public.contact_groups g join tree t on g.parent_group_id = t.id
    where contact_group_member_ids.include_subgroups
  )
  select m.contact_id from tree t join public.contact_group_memberships m on m.group_id = t.id where t.group_type = 'static'
  union
  -- Scoped to the group's owner: callers that bypass RLS (the service) must not see other owners' contacts.
  select c.id from tree t
  join public.contacts c on c.user_id = t.user_id and t.group_type = 'smart' and private.contact_matches_criteria(c, t.criteria)
$$;
comment on function public.contact_group_member_ids(uuid, boolean) is 'Ids of a group''s members (static and smart, with subgroups unless told otherwise), under the caller''s RLS.';
revoke execute on function public.contact_group_member_ids(uuid, boolean) from public, anon;
grant execute on function public.contact_group_member_ids(uuid, boolean) to authenticated, service_role;

-- THE decision: may agent A do <level> with contact C now, optionally on channel type T?
-- Security definer because agent tokens cannot read grants (RLS) and because the contacts policy
-- calls it: reading grants through RLS from inside a policy would recurse. The contact and the
-- grant must belong to the same owner, the agent must be active, the window open.
create function private.agent_can_access_contact(
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
comment on function private.agent_can_access_contact(uuid, uuid, text, text) is 'The one access decision: may the agent act at this level on this contact (and channel type) now. Used by RLS and by search.';
revoke execute on function private.agent_can_access_contact(uuid, uuid, text, text) from public;
grant execute on function private.agent_can_access_contact(uuid, uuid, text, text) to authenticated, service_role;
