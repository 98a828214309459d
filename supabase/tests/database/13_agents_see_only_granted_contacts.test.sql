-- RLS matrix for public.contacts, agent-scoped tokens: an agent reads the contacts its grants name
-- (all, a list, or a group), edits them only with a 'write' grant, never creates or deletes them,
-- and sees nothing outside an open grant window, when inactive, without grants, or when the token
-- names another owner's agent.
begin;
select plan(27);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace'),
  ('c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Alan Turing'),
  ('c0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'Grace Hopper'),
  ('c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Bob Rival');

insert into public.contact_groups (id, user_id, name) values
  ('f0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Partners');
insert into public.contact_group_memberships (group_id, contact_id, user_id) values
  ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'));

insert into public.agents (id, user_id, name, is_active) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Reader', true),
  ('a0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Messenger', true),
  ('a0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'Editor', true),
  ('a0000000-0000-4000-8000-000000000004', tests.get_supabase_uid('rls_owner'), 'Picker', true),
  ('a0000000-0000-4000-8000-000000000005', tests.get_supabase_uid('rls_owner'), 'Grouper', true),
  ('a0000000-0000-4000-8000-000000000006', tests.get_supabase_uid('rls_owner'), 'Lapsed', true),
  ('a0000000-0000-4000-8000-000000000007', tests.get_supabase_uid('rls_owner'), 'Early', true),
  ('a0000000-0000-4000-8000-000000000008', tests.get_supabase_uid('rls_owner'), 'Dormant', false),
  ('a0000000-0000-4000-8000-000000000009', tests.get_supabase_uid('rls_owner'), 'Ungranted', true),
  ('a0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Rival', true);

insert into public.agent_contact_permissions
  (id, user_id, agent_id, permission_type, group_id, permission_level, valid_from, valid_until) values
  ('b0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000001',
   'all_contacts', null, 'read', now(), null),
  ('b0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000002',
   'all_contacts', null, 'message', now(), null),
  ('b0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000003',
   'all_contacts', null, 'write', now(), null),
  ('b0000000-0000-4000-8000-000000000004', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000004',
   'specific_contacts', null, 'write', now(), null),
  ('b0000000-0000-4000-8000-000000000005', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000005',
   'group', 'f0000000-0000-4000-8000-000000000001', 'read', now(), null),
  ('b0000000-0000-4000-8000-000000000006', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000006',
   'all_contacts', null, 'write', now() - interval '2 days', now() - interval '1 day'),
  ('b0000000-0000-4000-8000-000000000007', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000007',
   'all_contacts', null, 'write', now() + interval '1 day', null),
  ('b0000000-0000-4000-8000-000000000008', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000008',
   'all_contacts', null, 'write', now(), null),
  ('b0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'a0000000-0000-4000-8000-0000000000b1',
   'all_contacts', null, 'write', now(), null);
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('rls_owner'), 'b0000000-0000-4000-8000-000000000004', 'a0000000-0000-4000-8000-000000000004',
   'c0000000-0000-4000-8000-000000000001');

-- Agent: an all_contacts 'read' grant
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000001');
select results_eq(
  $$ select display_name from public.contacts order by display_name $$,
  $$ values ('Ada Lovelace'), ('Alan Turing'), ('Grace Hopper') $$,
  'a read agent sees all of its owner''s contacts and none of another owner''s');
select throws_ok(
  $$ insert into public.contacts (display_name) values ('Invented') $$,
  '42501', 'new row violates row-level security policy for table "contacts"',
  'a read agent cannot create contacts');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by reader' returning id $$,
  'a read agent cannot update contacts (no row matches)');
select is_empty(
  $$ delete from public.contacts returning id $$,
  'a read agent cannot delete contacts (no row matches)');

-- Agent: an all_contacts 'message' grant
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000002');
select results_eq(
  $$ select display_name from public.contacts order by display_name $$,
  $$ values ('Ada Lovelace'), ('Alan Turing'), ('Grace Hopper') $$,
  'a message agent sees all of its owner''s contacts');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by messenger' returning id $$,
  'a message agent cannot update contacts: editing needs write');

-- Agent: an all_contacts 'write' grant
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000003');
select results_eq(
  $$ select display_name from public.contacts order by display_name $$,
  $$ values ('Ada Lovelace'), ('Alan Turing'), ('Grace Hopper') $$,
  'a write agent sees all of its owner''s contacts');
select throws_ok(
  $$ insert into public.contacts (display_name) values ('Invented') $$,
  '42501', 'new row violates row-level security policy for table "contacts"',
  'a write agent cannot create contacts: only owners do');
select results_eq(
  $$ update public.contacts set job_title = 'Rear admiral' where id = 'c0000000-0000-4000-8000-000000000003' returning id $$,
  $$ values ('c0000000-0000-4000-8000-000000000003'::uuid) $$,
  'a write agent can update a granted contact');
select is_empty(
  $$ delete from public.contacts returning id $$,
  'a write agent cannot delete contacts: only owners do');

-- Agent: a specific_contacts 'write' grant listing Ada only
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000004');
select results_eq(
  $$ select id from public.contacts $$,
  $$ values ('c0000000-0000-4000-8000-000000000001'::uuid) $$,
  'a specific_contacts agent sees only the contacts listed on its grant');
select results_eq(
  $$ update public.contacts set job_title = 'Countess' where id = 'c0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('c0000000-0000-4000-8000-000000000001'::uuid) $$,
  'a specific_contacts write agent can update a listed contact');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by picker' where id = 'c0000000-0000-4000-8000-000000000002' returning id $$,
  'a specific_contacts write agent cannot update a contact that is not listed');

-- Agent: a 'group' read grant on Partners (Alan)
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000005');
select results_eq(
  $$ select id from public.contacts $$,
  $$ values ('c0000000-0000-4000-8000-000000000002'::uuid) $$,
  'a group agent sees only the members of its group');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by grouper' returning id $$,
  'a group read agent cannot update its group''s members');

-- Agent: its write grant expired yesterday
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000006');
select is_empty($$ select id from public.contacts $$, 'an agent whose grant has expired sees no contacts');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by lapsed' returning id $$,
  'an agent whose grant has expired cannot update contacts');

-- Agent: its write grant starts tomorrow
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000007');
select is_empty($$ select id from public.contacts $$, 'an agent whose grant starts in the future sees no contacts yet');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by early' returning id $$,
  'an agent whose grant starts in the future cannot update contacts yet');

-- Agent: inactive, with an open write grant
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000008');
select is_empty($$ select id from public.contacts $$, 'an inactive agent sees no contacts, whatever its grants say');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by dormant' returning id $$,
  'an inactive agent cannot update contacts, whatever its grants say');

-- Agent: no grant at all
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000009');
select is_empty($$ select id from public.contacts $$, 'an agent without grants sees no contacts');

-- Agent: another owner's agent, named in the owner's token
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-0000000000b1');
select is_empty(
  $$ select id from public.contacts $$,
  'the owner''s token naming another owner''s agent sees no contacts at all');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by foreign agent' returning id $$,
  'the owner''s token naming another owner''s agent updates no contacts');

-- Agent: the other owner's agent, with its own owner's token
select tests.authenticate_as_agent('rls_other_owner', 'a0000000-0000-4000-8000-0000000000b1');
select results_eq(
  $$ select id from public.contacts $$,
  $$ values ('c0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner''s write agent sees only its own owner''s contacts');
select is_empty(
  $$ update public.contacts set job_title = 'Changed by rival' where id = 'c0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner''s write agent cannot update the owner''s contact');

-- Superuser: only the write agents' updates landed, nothing was deleted
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select display_name, job_title from public.contacts where user_id = tests.get_supabase_uid('rls_owner') order by display_name $$,
  $$ values ('Ada Lovelace', 'Countess'), ('Alan Turing', null), ('Grace Hopper', 'Rear admiral') $$,
  'after every agent''s attempts only the write agents'' updates are in place and no contact is gone');

select * from finish();
rollback;
