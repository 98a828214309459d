-- RLS matrix, ownership column: user_id is never client-writable. On every table an owner who
-- names user_id, whether to move an existing row to another owner or to create a row in another
-- owner's name, is stopped by the column privileges (42501, "permission denied for table ..."),
-- before any policy or trigger runs.
begin;
select plan(23);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.agents (id, user_id, name) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Scout');
insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'ada@example.com');
insert into public.contact_groups (id, user_id, name) values
  ('f0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'VIP');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('rls_owner'), 'f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type) values
  ('b0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000001',
   'specific_contacts');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('rls_owner'), 'b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001',
   'c0000000-0000-4000-8000-000000000001');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content) values
  (tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'inbound', 'Hello');
insert into public.contact_import_jobs (id, user_id, file_name) values
  ('e0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'contacts.csv');
insert into public.contact_import_job_errors (user_id, job_id, row_number, reason) values
  (tests.get_supabase_uid('rls_owner'), 'e0000000-0000-4000-8000-000000000001', 2, 'missing name');
insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values
  (tests.get_supabase_uid('rls_owner'), 'interactions', 'delete', 365);

-- Owner
select tests.authenticate_as('rls_owner');

select throws_ok($$ update public.agents set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table agents', 'the owner cannot hand an agent over to another owner');
select throws_ok($$ insert into public.agents (user_id, name) values (tests.get_supabase_uid('rls_other_owner'), 'Gift') $$,
  '42501', 'permission denied for table agents', 'the owner cannot create an agent in another owner''s name');

select throws_ok($$ update public.contacts set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contacts', 'the owner cannot hand a contact over to another owner');
select throws_ok($$ insert into public.contacts (user_id, display_name) values (tests.get_supabase_uid('rls_other_owner'), 'Gift') $$,
  '42501', 'permission denied for table contacts', 'the owner cannot create a contact in another owner''s name');

select throws_ok($$ update public.contact_communication_channels set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_communication_channels',
  'the owner cannot hand a channel over to another owner');
select throws_ok(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'gift@example.com') $$,
  '42501', 'permission denied for table contact_communication_channels',
  'the owner cannot create a channel in another owner''s name');

select throws_ok($$ update public.contact_groups set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_groups', 'the owner cannot hand a group over to another owner');
select throws_ok($$ insert into public.contact_groups (user_id, name) values (tests.get_supabase_uid('rls_other_owner'), 'Gift') $$,
  '42501', 'permission denied for table contact_groups', 'the owner cannot create a group in another owner''s name');

select throws_ok($$ update public.contact_group_memberships set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_group_memberships',
  'the owner cannot hand a membership over to another owner');
select throws_ok(
  $$ insert into public.contact_group_memberships (user_id, group_id, contact_id)
     values (tests.get_supabase_uid('rls_other_owner'), 'f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001') $$,
  '42501', 'permission denied for table contact_group_memberships',
  'the owner cannot create a membership in another owner''s name');

select throws_ok($$ update public.agent_contact_permissions set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table agent_contact_permissions', 'the owner cannot hand a grant over to another owner');
select throws_ok(
  $$ insert into public.agent_contact_permissions (user_id, agent_id, permission_type)
     values (tests.get_supabase_uid('rls_other_owner'), 'a0000000-0000-4000-8000-000000000001', 'all_contacts') $$,
  '42501', 'permission denied for table agent_contact_permissions',
  'the owner cannot create a grant in another owner''s name');

select throws_ok($$ update public.agent_specific_contact_access set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table agent_specific_contact_access',
  'the owner cannot hand a contact list entry over to another owner');
select throws_ok(
  $$ insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id)
     values (tests.get_supabase_uid('rls_other_owner'), 'b0000000-0000-4000-8000-000000000001',
             'a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001') $$,
  '42501', 'permission denied for table agent_specific_contact_access',
  'the owner cannot create a contact list entry in another owner''s name');

select throws_ok($$ update public.contact_interactions set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_interactions', 'the owner cannot hand an interaction over to another owner');
select throws_ok(
  $$ insert into public.contact_interactions (user_id, contact_id, channel_type, direction)
     values (tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'inbound') $$,
  '42501', 'permission denied for table contact_interactions',
  'the owner cannot log an interaction in another owner''s name');

select throws_ok($$ update public.contact_import_jobs set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_import_jobs', 'the owner cannot hand an import job over to another owner');
select throws_ok(
  $$ insert into public.contact_import_jobs (user_id, file_name) values (tests.get_supabase_uid('rls_other_owner'), 'gift.csv') $$,
  '42501', 'permission denied for table contact_import_jobs', 'the owner cannot start an import in another owner''s name');

select throws_ok($$ update public.contact_import_job_errors set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the owner cannot hand an import error over to another owner');
select throws_ok(
  $$ insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
     values (tests.get_supabase_uid('rls_other_owner'), 'e0000000-0000-4000-8000-000000000001', 3, 'gift') $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the owner cannot add an import error in another owner''s name');

select throws_ok($$ update public.contact_retention_policies set user_id = tests.get_supabase_uid('rls_other_owner') $$,
  '42501', 'permission denied for table contact_retention_policies',
  'the owner cannot hand a retention policy over to another owner');
select throws_ok(
  $$ insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
     values (tests.get_supabase_uid('rls_other_owner'), 'import_jobs', 'delete', 1) $$,
  '42501', 'permission denied for table contact_retention_policies',
  'the owner cannot create a retention policy in another owner''s name');

-- Superuser: the other owner owns nothing at all
reset role;
select set_config('request.jwt.claims', null, true);
select is(
  (select (select count(*) from public.agents where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contacts where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_communication_channels where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_groups where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_group_memberships where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.agent_contact_permissions where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.agent_specific_contact_access where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_interactions where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_import_jobs where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_import_job_errors where user_id = tests.get_supabase_uid('rls_other_owner'))
        + (select count(*) from public.contact_retention_policies where user_id = tests.get_supabase_uid('rls_other_owner'))),
  0::bigint,
  'after the owner''s attempts not a single row in any table belongs to the other owner');

select * from finish();
rollback;
