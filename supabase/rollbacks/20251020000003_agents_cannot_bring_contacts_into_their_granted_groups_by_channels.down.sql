-- Rollback of 20251020000003_agents_cannot_bring_contacts_into_their_granted_groups_by_channels: no
-- trigger on agents' new channels; contact_matches_criteria as 20250916000008 and group_entered as
-- 20251019000008 defined them.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_communication_channels_keep_agents_within_their_grants on public.contact_communication_channels;
drop function private.keep_agent_channels_within_their_grants();
drop function private.group_entered(uuid, public.contacts, public.contacts, text[], text[]);
drop function private.contact_matches_criteria(public.contacts, jsonb, text[]);

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
