-- RLS matrix, anon column: the anon role has no grants at all on the contacts tables, so every
-- command on every table in public fails at the privilege check (42501, "permission denied for
-- table ..."), before any policy runs, even when rows exist.
begin;
select plan(45);

select tests.create_supabase_user('rls_owner');
insert into public.agents (id, user_id, name)
values ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Scout');
insert into public.contacts (id, user_id, display_name)
values ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace');

-- Anon
select tests.clear_authentication();
select is(current_role::text, 'anon', 'the file runs these checks as the anon role');

-- agents
select throws_ok($$ select * from public.agents $$, '42501', 'permission denied for table agents',
  'anon cannot select agents');
select throws_ok($$ insert into public.agents (name) values ('Intruder') $$, '42501', 'permission denied for table agents',
  'anon cannot insert agents');
select throws_ok($$ update public.agents set name = 'Intruder' $$, '42501', 'permission denied for table agents',
  'anon cannot update agents');
select throws_ok($$ delete from public.agents $$, '42501', 'permission denied for table agents',
  'anon cannot delete agents');

-- contacts
select throws_ok($$ select * from public.contacts $$, '42501', 'permission denied for table contacts',
  'anon cannot select contacts');
select throws_ok($$ insert into public.contacts (display_name) values ('Intruder') $$, '42501',
  'permission denied for table contacts', 'anon cannot insert contacts');
select throws_ok($$ update public.contacts set display_name = 'Intruder' $$, '42501',
  'permission denied for table contacts', 'anon cannot update contacts');
select throws_ok($$ delete from public.contacts $$, '42501', 'permission denied for table contacts',
  'anon cannot delete contacts');

-- contact_communication_channels
select throws_ok($$ select * from public.contact_communication_channels $$, '42501',
  'permission denied for table contact_communication_channels', 'anon cannot select channels');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'anon@example.com') $$,
  '42501', 'permission denied for table contact_communication_channels', 'anon cannot insert channels');
select throws_ok($$ update public.contact_communication_channels set label = 'x' $$, '42501',
  'permission denied for table contact_communication_channels', 'anon cannot update channels');
select throws_ok($$ delete from public.contact_communication_channels $$, '42501',
  'permission denied for table contact_communication_channels', 'anon cannot delete channels');

-- contact_groups
select throws_ok($$ select * from public.contact_groups $$, '42501', 'permission denied for table contact_groups',
  'anon cannot select groups');
select throws_ok($$ insert into public.contact_groups (name) values ('Intruders') $$, '42501',
  'permission denied for table contact_groups', 'anon cannot insert groups');
select throws_ok($$ update public.contact_groups set name = 'Intruders' $$, '42501',
  'permission denied for table contact_groups', 'anon cannot update groups');
select throws_ok($$ delete from public.contact_groups $$, '42501', 'permission denied for table contact_groups',
  'anon cannot delete groups');

-- contact_group_memberships
select throws_ok($$ select * from public.contact_group_memberships $$, '42501',
  'permission denied for table contact_group_memberships', 'anon cannot select group memberships');
select throws_ok(
  $$ insert into public.contact_group_memberships (group_id, contact_id)
     values (gen_random_uuid(), 'c0000000-0000-4000-8000-000000000001') $$,
  '42501', 'permission denied for table contact_group_memberships', 'anon cannot insert group memberships');
select throws_ok($$ update public.contact_group_memberships set created_at = now() $$, '42501',
  'permission denied for table contact_group_memberships', 'anon cannot update group memberships');
select throws_ok($$ delete from public.contact_group_memberships $$, '42501',
  'permission denied for table contact_group_memberships', 'anon cannot delete group memberships');

-- agent_contact_permissions
select throws_ok($$ select * from public.agent_contact_permissions $$, '42501',
  'permission denied for table agent_contact_permissions', 'anon cannot select agent grants');
select throws_ok(
  $$ insert into public.agent_contact_permissions (agent_id, permission_type)
     values ('a0000000-0000-4000-8000-000000000001', 'all_contacts') $$,
  '42501', 'permission denied for table agent_contact_permissions', 'anon cannot insert agent grants');
select throws_ok($$ update public.agent_contact_permissions set permission_level = 'write' $$, '42501',
  'permission denied for table agent_contact_permissions', 'anon cannot update agent grants');
select throws_ok($$ delete from public.agent_contact_permissions $$, '42501',
  'permission denied for table agent_contact_permissions', 'anon cannot delete agent grants');

-- agent_specific_contact_access
select throws_ok($$ select * from public.agent_specific_contact_access $$, '42501',
  'permission denied for table agent_specific_contact_access', 'anon cannot select specific contact access');
select throws_ok(
  $$ insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
     values (gen_random_uuid(), 'a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001') $$,
  '42501', 'permission denied for table agent_specific_contact_access', 'anon cannot insert specific contact access');
select throws_ok($$ update public.agent_specific_contact_access set created_at = now() $$, '42501',
  'permission denied for table agent_specific_contact_access', 'anon cannot update specific contact access');
select throws_ok($$ delete from public.agent_specific_contact_access $$, '42501',
  'permission denied for table agent_specific_contact_access', 'anon cannot delete specific contact access');

-- contact_interactions
select throws_ok($$ select * from public.contact_interactions $$, '42501',
  'permission denied for table contact_interactions', 'anon cannot select interactions');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, channel_type, direction)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'inbound') $$,
  '42501', 'permission denied for table contact_interactions', 'anon cannot insert interactions');
select throws_ok($$ update public.contact_interactions set summary = 'x' $$, '42501',
  'permission denied for table contact_interactions', 'anon cannot update interactions');
select throws_ok($$ delete from public.contact_interactions $$, '42501',
  'permission denied for table contact_interactions', 'anon cannot delete interactions');

-- contact_import_jobs
select throws_ok($$ select * from public.contact_import_jobs $$, '42501',
  'permission denied for table contact_import_jobs', 'anon cannot select import jobs');
select throws_ok($$ insert into public.contact_import_jobs (file_name) values ('anon.csv') $$, '42501',
  'permission denied for table contact_import_jobs', 'anon cannot insert import jobs');
select throws_ok($$ update public.contact_import_jobs set error_summary = 'x' $$, '42501',
  'permission denied for table contact_import_jobs', 'anon cannot update import jobs');
select throws_ok($$ delete from public.contact_import_jobs $$, '42501',
  'permission denied for table contact_import_jobs', 'anon cannot delete import jobs');

-- contact_import_job_errors
select throws_ok($$ select * from public.contact_import_job_errors $$, '42501',
  'permission denied for table contact_import_job_errors', 'anon cannot select import errors');
select throws_ok(
  $$ insert into public.contact_import_job_errors (job_id, row_number, reason) values (gen_random_uuid(), 2, 'x') $$,
  '42501', 'permission denied for table contact_import_job_errors', 'anon cannot insert import errors');
select throws_ok($$ update public.contact_import_job_errors set reason = 'x' $$, '42501',
  'permission denied for table contact_import_job_errors', 'anon cannot update import errors');
select throws_ok($$ delete from public.contact_import_job_errors $$, '42501',
  'permission denied for table contact_import_job_errors', 'anon cannot delete import errors');

-- contact_retention_policies
select throws_ok($$ select * from public.contact_retention_policies $$, '42501',
  'permission denied for table contact_retention_policies', 'anon cannot select retention policies');
select throws_ok(
  $$ insert into public.contact_retention_policies (data_class, action, retain_days) values ('interactions', 'delete', 30) $$,
  '42501', 'permission denied for table contact_retention_policies', 'anon cannot insert retention policies');
select throws_ok($$ update public.contact_retention_policies set retain_days = 1 $$, '42501',
  'permission denied for table contact_retention_policies', 'anon cannot update retention policies');
select throws_ok($$ delete from public.contact_retention_policies $$, '42501',
  'permission denied for table contact_retention_policies', 'anon cannot delete retention policies');

select * from finish();
rollback;
