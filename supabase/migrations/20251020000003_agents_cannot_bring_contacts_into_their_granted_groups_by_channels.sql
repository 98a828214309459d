-- An agent could still widen its own grants through channels (20251019000008 covered the contact's
-- fields only). Given write on a contact, it could add a channel of a type the contact did not have,
-- and so bring the contact into a smart group matching on that channel type which another of its
-- grants covers, with channel types or a level the first grant withheld. An agent token's insert of
-- channels that brings a contact into the group (or a subgroup) of one of that agent's group grants,
-- which it was not in before, is now refused (42501), as for the contact's fields. An update cannot
-- do it: the signed-in roles may not update a channel's type or contact (column privileges).
-- Removing a channel only narrows, and owners, the service and imports are not concerned.
--
-- To judge the contact before and after without reading the table twice, smart-group criteria and
-- group_entered take the contact's channel types as an argument; called without them, as every
-- other caller does, they read the channels as before. group_entered (security definer) is no
-- longer the signed-in roles' to call: it answered about any owner's groups.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.group_entered(uuid, public.contacts, public.contacts);
drop function private.contact_matches_criteria(public.contacts, jsonb);

-- Smart-group criteria, with the channel types given or (null) read from the contact's channels.
create function private.contact_matches_criteria(contact public.contacts, criteria jsonb, channel_types text[] default null)
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
      matched := case when channel_types is null then exists (
          select 1 from public.contact_communication_channels ch
          where ch.contact_id = contact.id and ch.user_id = contact.user_id and ch.channel_type = rule ->> 'value')
        else rule ->> 'value' = any (channel_types) end;
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

comment on function private.contact_matches_criteria(public.contacts, jsonb, text[]) is 'True when the contact satisfies smart-group criteria; channel_type rules read the contact''s channels, or the channel types given.';
revoke execute on function private.contact_matches_criteria(public.contacts, jsonb, text[]) from public;
grant execute on function private.contact_matches_criteria(public.contacts, jsonb, text[]) to authenticated, service_role;

-- Whether the contact, as `before` and as `after` (with the channel types given for each, or read
-- from its channels), is in the group or one of its subgroups.
create function private.group_entered(group_id uuid, before public.contacts, after public.contacts,
  channel_types_before text[] default null, channel_types_after text[] default null)
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
      bool_or(t.group_type = 'smart' and private.contact_matches_criteria(group_entered.before, t.criteria, group_entered.channel_types_before)) as matched_before,
      bool_or(t.group_type = 'smart' and private.contact_matches_criteria(group_entered.after, t.criteria, group_entered.channel_types_after)) as matches_after
    from tree t
  )
  select coalesce(m.matches_after and not m.matched_before and not m.static_member, false) from membership m
$$;

comment on function private.group_entered(uuid, public.contacts, public.contacts, text[], text[]) is 'True when the contact as after, and not as before, is in the group or a subgroup (smart criteria, with the channel types given for each or read; static memberships count as in both).';
revoke execute on function private.group_entered(uuid, public.contacts, public.contacts, text[], text[]) from public;
-- Only the triggers (security definer) call it: a signed-in role could probe another owner's group
-- rules with made-up contacts.
grant execute on function private.group_entered(uuid, public.contacts, public.contacts, text[], text[]) to service_role;

-- Trigger: an agent token's new channels may not bring a contact into a group one of the agent's
-- current grants covers. The contact's channel types before the statement are those of its channels
-- now, less the rows inserted. Security definer: agents cannot read groups or grants themselves.
create function private.keep_agent_channels_within_their_grants()
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
revoke execute on function private.keep_agent_channels_within_their_grants() from public;
grant execute on function private.keep_agent_channels_within_their_grants() to authenticated, service_role;

create trigger contact_communication_channels_keep_agents_within_their_grants
  after insert on public.contact_communication_channels
  referencing new table as new_rows
  for each statement
  execute function private.keep_agent_channels_within_their_grants();
