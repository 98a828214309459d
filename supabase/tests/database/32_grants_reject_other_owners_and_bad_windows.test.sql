-- Grants: an owner grants only their own agents access to their own contacts and groups (composite
-- foreign keys, 23503), windows end after they start, group grants name a group and only group
-- grants do, and contacts are listed only on specific_contacts grants. Run as authenticated owners.
begin;
select plan(22);

-- Fixtures (superuser): the owner's agents Scout and Scribe, two contacts, a group and three
-- grants to Scout; the rival's agent Spy with a contact, a group and a specific_contacts grant.
do $$
declare
  owner_id uuid := tests.create_supabase_user('grant_owner');
  rival_id uuid := tests.create_supabase_user('grant_rival');
begin
  insert into public.agents (id, user_id, name) values
    ('32000000-0000-4000-8000-0000000000a1', owner_id, 'Scout'),
    ('32000000-0000-4000-8000-0000000000a2', owner_id, 'Scribe'),
    ('32000000-0000-4000-8000-0000000000f1', rival_id, 'Spy');
  insert into public.contacts (id, user_id, first_name, last_name) values
    ('32000000-0000-4000-8000-0000000000c1', owner_id, 'Ada', 'Lovelace'),
    ('32000000-0000-4000-8000-0000000000c2', owner_id, 'Grace', 'Hopper'),
    ('32000000-0000-4000-8000-0000000000f2', rival_id, 'Charles', 'Babbage');
  insert into public.contact_groups (id, user_id, name) values
    ('32000000-0000-4000-8000-0000000000b1', owner_id, 'Pioneers'),
    ('32000000-0000-4000-8000-0000000000f3', rival_id, 'Rivals');
  insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, group_id) values
    ('32000000-0000-4000-8000-0000000000d1', owner_id, '32000000-0000-4000-8000-0000000000a1', 'specific_contacts', null),
    ('32000000-0000-4000-8000-0000000000d2', owner_id, '32000000-0000-4000-8000-0000000000a1', 'all_contacts', null),
    ('32000000-0000-4000-8000-0000000000d3', owner_id, '32000000-0000-4000-8000-0000000000a1', 'group', '32000000-0000-4000-8000-0000000000b1'),
    ('32000000-0000-4000-8000-0000000000f4', rival_id, '32000000-0000-4000-8000-0000000000f1', 'specific_contacts', null);
end
$$;

-- ============================================================================================
-- Persona: owner (grant_owner) -- other owners' agents, contacts, groups and grants
-- ============================================================================================
select tests.authenticate_as('grant_owner');

select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type)
  values ('32000000-0000-4000-8000-0000000000f1', 'all_contacts')
$$, '23503', 'insert or update on table "agent_contact_permissions" violates foreign key constraint "agent_contact_permissions_agent_fkey"',
  'an owner cannot grant another owner''s agent access to their contacts');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, group_id)
  values ('32000000-0000-4000-8000-0000000000a1', 'group', '32000000-0000-4000-8000-0000000000f3')
$$, '23503', 'insert or update on table "agent_contact_permissions" violates foreign key constraint "agent_contact_permissions_group_fkey"',
  'an owner cannot grant their agent another owner''s group');
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000d1', '32000000-0000-4000-8000-0000000000a1', '32000000-0000-4000-8000-0000000000f2')
$$, '23503', 'insert or update on table "agent_specific_contact_access" violates foreign key constraint "agent_specific_contact_access_contact_fkey"',
  'an owner cannot list another owner''s contact on their grant');
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000f4', '32000000-0000-4000-8000-0000000000f1', '32000000-0000-4000-8000-0000000000c1')
$$, '23503', 'insert or update on table "agent_specific_contact_access" violates foreign key constraint "agent_specific_contact_access_permission_fkey"',
  'an owner cannot list their contact on another owner''s grant (the grant is missing for them: 23503, not a type error)');
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000d1', '32000000-0000-4000-8000-0000000000a2', '32000000-0000-4000-8000-0000000000c1')
$$, '23503', 'insert or update on table "agent_specific_contact_access" violates foreign key constraint "agent_specific_contact_access_permission_fkey"',
  'an owner cannot list a contact under a grant for an agent other than the grant''s own');

-- ============================================================================================
-- Persona: owner (grant_owner) -- validity windows
-- ============================================================================================
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, valid_from, valid_until)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', '2030-01-02 00:00+00', '2030-01-01 00:00+00')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_window_check"',
  'an owner cannot create a grant whose window ends before it starts');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, valid_from, valid_until)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', '2030-01-01 00:00+00', '2030-01-01 00:00+00')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_window_check"',
  'an owner cannot create a grant whose window is empty (ends when it starts)');
select lives_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, valid_from, valid_until)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', '2030-01-01 00:00+00', '2030-02-01 00:00+00')
$$, 'an owner can create a grant with a window in the future');
select throws_ok($$
  update public.agent_contact_permissions set valid_until = valid_from - interval '1 day'
  where id = '32000000-0000-4000-8000-0000000000d2'
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_window_check"',
  'an owner cannot move the end of an existing grant before its start');

-- ============================================================================================
-- Persona: owner (grant_owner) -- grant types
-- ============================================================================================
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type) values ('32000000-0000-4000-8000-0000000000a2', 'group')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_group_check"',
  'an owner cannot create a group grant without a group');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, group_id)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', '32000000-0000-4000-8000-0000000000b1')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_group_check"',
  'an owner cannot attach a group to a grant that is not a group grant');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type) values ('32000000-0000-4000-8000-0000000000a2', 'everything')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_permission_type_check"',
  'an owner cannot create a grant of an unknown type');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, permission_level)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', 'admin')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_permission_level_check"',
  'an owner cannot grant an unknown permission level');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, allowed_channel_types)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', '{}')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_channel_types_check"',
  'an owner cannot grant an empty list of channel types (null means all)');
select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, allowed_channel_types)
  values ('32000000-0000-4000-8000-0000000000a2', 'all_contacts', '{email,fax}')
$$, '23514', 'new row for relation "agent_contact_permissions" violates check constraint "agent_contact_permissions_channel_types_check"',
  'an owner cannot grant an unknown channel type');

-- ============================================================================================
-- Persona: owner (grant_owner) -- contacts listed on grants
-- ============================================================================================
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000d2', '32000000-0000-4000-8000-0000000000a1', '32000000-0000-4000-8000-0000000000c1')
$$, '23514', 'contacts can only be listed on a specific_contacts grant',
  'an owner cannot list contacts on an all_contacts grant');
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000d3', '32000000-0000-4000-8000-0000000000a1', '32000000-0000-4000-8000-0000000000c1')
$$, '23514', 'contacts can only be listed on a specific_contacts grant',
  'an owner cannot list contacts on a group grant');
select lives_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000d1', '32000000-0000-4000-8000-0000000000a1', '32000000-0000-4000-8000-0000000000c1')
$$, 'an owner can list their contact on their agent''s specific_contacts grant');
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000d1', '32000000-0000-4000-8000-0000000000a1', '32000000-0000-4000-8000-0000000000c1')
$$, '23505', 'duplicate key value violates unique constraint "agent_specific_contact_access_permission_contact_key"',
  'an owner cannot list the same contact twice on one grant');
select is(
  (select user_id from public.agent_specific_contact_access where contact_id = '32000000-0000-4000-8000-0000000000c1'),
  tests.get_supabase_uid('grant_owner'),
  'the listed contact is owned by the owner, filled in from the token and not from the request');

-- ============================================================================================
-- Persona: other owner (grant_rival)
-- ============================================================================================
select tests.authenticate_as('grant_rival');

select throws_ok($$
  insert into public.agent_contact_permissions (agent_id, permission_type, group_id)
  values ('32000000-0000-4000-8000-0000000000f1', 'group', '32000000-0000-4000-8000-0000000000b1')
$$, '23503', 'insert or update on table "agent_contact_permissions" violates foreign key constraint "agent_contact_permissions_group_fkey"',
  'the other owner cannot grant their agent the first owner''s group');
select throws_ok($$
  insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
  values ('32000000-0000-4000-8000-0000000000f4', '32000000-0000-4000-8000-0000000000f1', '32000000-0000-4000-8000-0000000000c2')
$$, '23503', 'insert or update on table "agent_specific_contact_access" violates foreign key constraint "agent_specific_contact_access_contact_fkey"',
  'the other owner cannot list the first owner''s contact on their own grant');

select * from finish();
rollback;
