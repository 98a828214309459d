-- Security definer helpers answered for any owner. Schema private is not exposed over the API, but
-- a signed-in user with SQL access (authenticated has usage on private, as RLS calls these) could
-- compute another owner's keyed hashes of guessed identifiers with owner_hmac/owner_hmacs, and test
-- them against that owner's receipts and suppressions, which the per-owner key exists to prevent;
-- and ask agent_can_access_contact, agent_can_message_on_channel (through it) and contact_in_group
-- whether another owner's contact exists, is in a group or is granted to an agent. Each now answers
-- only for the caller's own rows (agent tokens carry their owner's id) or for the service: the
-- hashes refuse (42501), the access checks answer false. RLS and the functions that call them
-- always ask about the caller's own rows, so nothing they allow changes.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.owner_hmac(owner_id uuid, value text)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  secret bytea;
begin
  if not (owner_hmac.owner_id = (select auth.uid()) or private.is_service_caller()) then
    raise exception 'only the owner or the service can hash for an owner' using errcode = '42501';
  end if;
  insert into private.owner_keys (user_id) values (owner_hmac.owner_id) on conflict (user_id) do nothing;
  select k.hmac_key into strict secret from private.owner_keys k where k.user_id = owner_hmac.owner_id;
  return encode(extensions.hmac(convert_to(owner_hmac.value, 'UTF8'), secret, 'sha256'), 'hex');
end;
$$;

create or replace function private.owner_hmacs(owner_id uuid, input_values text[])
returns text[]
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  secret bytea;
begin
  if not (owner_hmacs.owner_id = (select auth.uid()) or private.is_service_caller()) then
    raise exception 'only the owner or the service can hash for an owner' using errcode = '42501';
  end if;
  insert into private.owner_keys (user_id) values (owner_hmacs.owner_id) on conflict (user_id) do nothing;
  select k.hmac_key into strict secret from private.owner_keys k where k.user_id = owner_hmacs.owner_id;
  return array(
    select encode(extensions.hmac(convert_to(v.value, 'UTF8'), secret, 'sha256'), 'hex')
    from unnest(owner_hmacs.input_values) with ordinality as v (value, position)
    order by v.position);
end;
$$;

create or replace function private.contact_in_group(contact_id uuid, group_id uuid)
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
    where (c.user_id = (select auth.uid()) or private.is_service_caller())
      and ((t.group_type = 'static' and exists (
            select 1 from public.contact_group_memberships m where m.group_id = t.id and m.contact_id = c.id))
       or (t.group_type = 'smart' and private.contact_matches_criteria(c, t.criteria)))
  )
$$;

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
begin
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
