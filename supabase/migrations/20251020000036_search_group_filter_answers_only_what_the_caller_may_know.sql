-- The search's group_id filter answered about any group of the owner, whoever asked. An agent
-- token may not read groups or memberships (RLS), yet narrowing its search to a group told it which
-- of the contacts it sees are members: of a static group the owner keeps from it, or of a smart
-- group whose criteria read channel types the agent's grants withhold (a group of "has a phone"
-- contacts told an e-mail-only agent who has a phone). An unknown group, or another owner's, was an
-- empty page rather than an error.
-- Now: a group that is not the agent owner's is 'group not found' (404) for every caller. An agent
-- token may narrow only to a group its current group grants cover (the granted group or a subgroup
-- of it; any other is 'group not found' too, so no group's existence is told), and not to one whose
-- smart criteria, or its subgroups', read a channel type that a current grant of the agent
-- withholds (42501). The owner and the service see every group and may narrow to any of the owner's.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.check_search_group(agent_id uuid, group_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  owner_id uuid;
  token_agent constant uuid := private.current_agent_id();
  withheld_type text;
begin
  select a.user_id into owner_id
  from public.agents a
  where a.id = check_search_group.agent_id
    and (private.is_service_caller() or a.user_id = (select auth.uid()));
  -- An agent the caller may not search as (another owner's, or not its token's) is refused by the
  -- search itself, as before.
  if owner_id is null or coalesce(token_agent <> check_search_group.agent_id, false) then
    return;
  end if;

  if not exists (
    select 1 from public.contact_groups g where g.id = check_search_group.group_id and g.user_id = owner_id
  ) then
    raise exception 'group not found' using errcode = 'P0002';
  end if;
  if token_agent is null then
    return;
  end if;

  -- The group and its ancestors: one of them must be the group of a current grant of the agent.
  if not exists (
    with recursive lineage (id, parent_group_id) as (
      select g.id, g.parent_group_id from public.contact_groups g
      where g.id = check_search_group.group_id and g.user_id = owner_id
      union
      select g.id, g.parent_group_id from public.contact_groups g join lineage l on g.id = l.parent_group_id
      where g.user_id = owner_id
    )
    select 1
    from lineage l
    join public.agent_contact_permissions p
      on p.group_id = l.id and p.agent_id = check_search_group.agent_id and p.user_id = owner_id
    where p.permission_type = 'group' and p.valid_from <= now() and (p.valid_until is null or p.valid_until > now())
  ) then
    raise exception 'group not found' using errcode = 'P0002';
  end if;

  -- The group and its subgroups: no channel_type rule may name a type a current grant withholds.
  with recursive tree (id, group_type, criteria) as (
    select g.id, g.group_type, g.criteria from public.contact_groups g
    where g.id = check_search_group.group_id and g.user_id = owner_id
    union
    select g.id, g.group_type, g.criteria from public.contact_groups g join tree t on g.parent_group_id = t.id
    where g.user_id = owner_id
  )
  select r ->> 'value' into withheld_type
  from tree t, jsonb_array_elements(t.criteria -> 'rules') as rules (r)
  where t.group_type = 'smart' and r ->> 'field' = 'channel_type'
    and exists (
      select 1 from public.agent_contact_permissions p
      where p.agent_id = check_search_group.agent_id and p.user_id = owner_id
        and p.valid_from <= now() and (p.valid_until is null or p.valid_until > now())
        and p.allowed_channel_types is not null and not (r ->> 'value') = any (p.allowed_channel_types))
  limit 1;
  if withheld_type is not null then
    raise exception 'the group''s criteria read % channels, which this agent''s grants withhold', withheld_type
      using errcode = '42501';
  end if;
end;
$$;
comment on function private.check_search_group(uuid, uuid) is
  'Agent search: refuses a group_id filter on a group that is not the agent owner''s (P0002), and, for an agent token, on one its current group grants do not cover (P0002) or whose smart criteria read a channel type its grants withhold (42501).';
revoke execute on function private.check_search_group(uuid, uuid) from public;
grant execute on function private.check_search_group(uuid, uuid) to authenticated, service_role;

create or replace function public.search_contacts_for_agent(
  agent_id uuid,
  query text,
  channel_types text[] default null,
  group_id uuid default null,
  result_limit integer default 20,
  after_score numeric default null,
  after_contact_id uuid default null,
  after_display_name text default null,
  after_organization text default null
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
  if search_contacts_for_agent.after_contact_id is null
     and (search_contacts_for_agent.after_display_name is not null or search_contacts_for_agent.after_organization is not null) then
    raise exception 'after_display_name and after_organization belong to a cursor: pass after_score and after_contact_id too'
      using errcode = '22023';
  end if;
  if not search_contacts_for_agent.channel_types
       <@ array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other'] then
    raise exception 'unknown channel type in channel_types' using errcode = '22023';
  end if;

  if search_contacts_for_agent.group_id is not null then
    perform private.check_search_group(search_contacts_for_agent.agent_id, search_contacts_for_agent.group_id);
  end if;

  return query
  select * from private.search_contacts_page(
    search_contacts_for_agent.agent_id, needle, search_contacts_for_agent.channel_types, search_contacts_for_agent.group_id,
    search_contacts_for_agent.result_limit, search_contacts_for_agent.after_score, search_contacts_for_agent.after_contact_id,
    search_contacts_for_agent.after_display_name, search_contacts_for_agent.after_organization);

  get diagnostics returned = row_count;
  perform private.record_agent_search(search_contacts_for_agent.agent_id, needle, returned);
end;
$$;
comment on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text) is
  'Contacts an agent may read that match a free-text query (name, organization, e-mail, phone in any format), best first (score, then name, then contact id), keyset-paged after the last row (score, contact_id, and its display_name and organization as listed). Channels are limited to the types the agent may use, each with can_message: whether the agent may message on it now (grant and consent). Each call is recorded in agent_contact_access_log.';
revoke execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text) from public, anon;
grant execute on function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid, text, text) to authenticated, service_role;
