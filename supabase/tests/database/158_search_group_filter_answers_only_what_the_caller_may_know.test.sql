-- The search's group_id filter tells only what the caller may know (20251020000036): a group that
-- is not the agent owner's is 'group not found' for everyone; an agent token may narrow only to a
-- group its current grants cover, and not to one whose criteria read channel types its grants
-- withhold. The owner and the service may narrow to any of the owner's groups.
begin;
select plan(13);

select tests.create_supabase_user('filter_owner');
select tests.create_supabase_user('filter_other_owner');

-- Groupie One has a phone; Two and Three only e-mail. Three is in a static group no agent is granted.
insert into public.contacts (id, user_id, first_name, last_name) values
  ('15800000-0000-4000-8000-000000000001', tests.get_supabase_uid('filter_owner'), 'Groupie', 'One'),
  ('15800000-0000-4000-8000-000000000002', tests.get_supabase_uid('filter_owner'), 'Groupie', 'Two'),
  ('15800000-0000-4000-8000-000000000003', tests.get_supabase_uid('filter_owner'), 'Groupie', 'Three');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-000000000001', 'email', 'one@example.com'),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-000000000001', 'phone', '+14155550101'),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-000000000002', 'email', 'two@example.com'),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-000000000003', 'email', 'three@example.com');

-- Groups: Kept (static, Three), Has a phone (smart), Parent (static, One) with Child (static, Two);
-- and a group of another owner.
insert into public.contact_groups (id, user_id, name, group_type, criteria, parent_group_id) values
  ('15800000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('filter_owner'), 'Kept', 'static', null, null),
  ('15800000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('filter_owner'), 'Has a phone', 'smart',
    '{"rules": [{"field": "channel_type", "op": "has", "value": "phone"}]}', null),
  ('15800000-0000-4000-8000-0000000000b3', tests.get_supabase_uid('filter_owner'), 'Parent', 'static', null, null),
  ('15800000-0000-4000-8000-0000000000b4', tests.get_supabase_uid('filter_owner'), 'Child', 'static', null,
    '15800000-0000-4000-8000-0000000000b3'),
  ('15800000-0000-4000-8000-0000000000b9', tests.get_supabase_uid('filter_other_owner'), 'Foreign', 'static', null, null);
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000b1', '15800000-0000-4000-8000-000000000003'),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000b3', '15800000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000b4', '15800000-0000-4000-8000-000000000002');

-- Agents: e-mail only over every contact; Parent granted; e-mail only plus Has a phone granted;
-- Has a phone granted for phones and e-mail; Parent granted until yesterday.
insert into public.agents (id, user_id, name) values
  ('15800000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('filter_owner'), 'e-mail only'),
  ('15800000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('filter_owner'), 'parent group'),
  ('15800000-0000-4000-8000-0000000000a3', tests.get_supabase_uid('filter_owner'), 'e-mail only and phone group'),
  ('15800000-0000-4000-8000-0000000000a4', tests.get_supabase_uid('filter_owner'), 'phone group'),
  ('15800000-0000-4000-8000-0000000000a5', tests.get_supabase_uid('filter_owner'), 'expired parent group');
insert into public.agent_contact_permissions
  (user_id, agent_id, permission_type, group_id, allowed_channel_types, valid_from, valid_until) values
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000a1', 'all_contacts', null, '{email}', now(), null),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000a2', 'group', '15800000-0000-4000-8000-0000000000b3', null, now(), null),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000a3', 'all_contacts', null, '{email}', now(), null),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000a3', 'group', '15800000-0000-4000-8000-0000000000b2', null, now(), null),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000a4', 'group', '15800000-0000-4000-8000-0000000000b2', '{email,phone}', now(), null),
  (tests.get_supabase_uid('filter_owner'), '15800000-0000-4000-8000-0000000000a5', 'group', '15800000-0000-4000-8000-0000000000b3', null,
    now() - interval '10 days', now() - interval '1 day');

create function pg_temp.filtered(agent_id uuid, group_id uuid)
returns setof uuid language sql as $$
  select s.contact_id from public.search_contacts_for_agent(filtered.agent_id, 'groupie', group_id => filtered.group_id) s
$$;

-- Owner
select tests.authenticate_as('filter_owner');

select set_eq(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b2') $$,
  $$ values ('15800000-0000-4000-8000-000000000001'::uuid) $$,
  'The owner may narrow an e-mail-only agent''s search to a group by phone: the owner sees every channel.');
select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b9') $$,
  'P0002', 'group not found',
  'Another owner''s group is not found, where it used to give an empty page.');
select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000ff') $$,
  'P0002', 'group not found',
  'An unknown group is not found.');

-- Service
select tests.authenticate_as_service_role();

select set_eq(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b1') $$,
  $$ values ('15800000-0000-4000-8000-000000000003'::uuid) $$,
  'The service may narrow any agent''s search to any group of the owner.');

-- Agent tokens
select tests.authenticate_as_agent('filter_owner', '15800000-0000-4000-8000-0000000000a1');

select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b1') $$,
  'P0002', 'group not found',
  'An agent token cannot narrow to a static group it holds no grant on: its memberships stay hidden.');
select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b2') $$,
  'P0002', 'group not found',
  'An e-mail-only agent token cannot learn who has a phone through a smart group it holds no grant on.');

select tests.authenticate_as_agent('filter_owner', '15800000-0000-4000-8000-0000000000a2');

select set_eq(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a2', '15800000-0000-4000-8000-0000000000b3') $$,
  $$ values ('15800000-0000-4000-8000-000000000001'::uuid), ('15800000-0000-4000-8000-000000000002') $$,
  'An agent token may narrow to its granted group, subgroups included.');
select set_eq(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a2', '15800000-0000-4000-8000-0000000000b4') $$,
  $$ values ('15800000-0000-4000-8000-000000000002'::uuid) $$,
  'An agent token may narrow to a subgroup of its granted group.');
select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b3') $$,
  'P0002', 'agent not found',
  'An agent token naming another agent is refused as before, whatever the group.');

select tests.authenticate_as_agent('filter_owner', '15800000-0000-4000-8000-0000000000a3');

select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a3', '15800000-0000-4000-8000-0000000000b2') $$,
  '42501', 'the group''s criteria read phone channels, which this agent''s grants withhold',
  'A granted group whose criteria read a channel type another grant of the agent withholds is refused.');

select tests.authenticate_as_agent('filter_owner', '15800000-0000-4000-8000-0000000000a4');

select set_eq(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a4', '15800000-0000-4000-8000-0000000000b2') $$,
  $$ values ('15800000-0000-4000-8000-000000000001'::uuid) $$,
  'A granted group whose criteria read only channel types the agent may see narrows the search.');

select tests.authenticate_as_agent('filter_owner', '15800000-0000-4000-8000-0000000000a5');

select throws_ok(
  $$ select * from pg_temp.filtered('15800000-0000-4000-8000-0000000000a5', '15800000-0000-4000-8000-0000000000b3') $$,
  'P0002', 'group not found',
  'A group grant that has ended no longer lets the agent token narrow to its group.');

-- Anonymous
select tests.clear_authentication();

select throws_ok(
  $$ select private.check_search_group('15800000-0000-4000-8000-0000000000a1', '15800000-0000-4000-8000-0000000000b1') $$,
  '42501', 'permission denied for schema private',
  'Anonymous callers cannot reach the group check.');

select * from finish();
rollback;
