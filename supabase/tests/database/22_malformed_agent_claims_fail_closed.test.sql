-- RLS matrix, malformed agent-token column: an owner's JWT whose agent_id claim is present but not a
-- uuid must never fall back to the owner's full access. private.current_agent_id() raises 42501
-- ("the agent_id claim of this token is not a uuid") as soon as a policy looks at the claim, so
-- every command on every table fails; commands the authenticated role holds no privilege for fail
-- earlier with "permission denied". The owner holds rows in every table, so every policy is
-- actually evaluated.
begin;
select plan(49);

select tests.create_supabase_user('rls_owner');

insert into public.agents (id, user_id, name) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Scout');
insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace'),
  ('c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Alan Turing');
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

-- Agent: malformed claim, the owner's token with agent_id = "not-a-uuid"
select tests.authenticate_as('rls_owner', '{"agent_id": "not-a-uuid"}');

-- agents
select throws_ok($$ select * from public.agents $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a malformed agent token cannot select agents');
select throws_ok($$ insert into public.agents (name) values ('Malformed') $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert agents');
select throws_ok($$ update public.agents set description = 'x' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update agents');
select throws_ok($$ delete from public.agents $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete agents');

-- contacts
select throws_ok($$ select * from public.contacts $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a malformed agent token cannot select contacts');
select throws_ok($$ insert into public.contacts (display_name) values ('Malformed') $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert contacts');
select throws_ok($$ update public.contacts set job_title = 'x' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update contacts');
select throws_ok($$ delete from public.contacts $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete contacts');

-- contact_communication_channels
select throws_ok($$ select * from public.contact_communication_channels $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select channels');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'malformed@example.com') $$,
  '42501', 'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert channels');
select throws_ok($$ update public.contact_communication_channels set label = 'x' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update channels');
select throws_ok($$ delete from public.contact_communication_channels $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete channels');

-- contact_groups
select throws_ok($$ select * from public.contact_groups $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select groups');
select throws_ok($$ insert into public.contact_groups (name) values ('Malformed') $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert groups');
select throws_ok($$ update public.contact_groups set description = 'x' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update groups');
select throws_ok($$ delete from public.contact_groups $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete groups');

-- contact_group_memberships
select throws_ok($$ select * from public.contact_group_memberships $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select memberships');
select throws_ok(
  $$ insert into public.contact_group_memberships (group_id, contact_id)
     values ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002') $$,
  '42501', 'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert memberships');
select throws_ok($$ update public.contact_group_memberships set contact_id = 'c0000000-0000-4000-8000-000000000002' $$,
  '42501', 'permission denied for table contact_group_memberships',
  'a malformed agent token cannot update memberships (no privilege)');
select throws_ok($$ delete from public.contact_group_memberships $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete memberships');

-- agent_contact_permissions
select throws_ok($$ select * from public.agent_contact_permissions $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select grants');
select throws_ok(
  $$ insert into public.agent_contact_permissions (agent_id, permission_type, permission_level)
     values ('a0000000-0000-4000-8000-000000000001', 'all_contacts', 'write') $$,
  '42501', 'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert grants');
select throws_ok($$ update public.agent_contact_permissions set permission_level = 'write' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update grants');
select throws_ok($$ delete from public.agent_contact_permissions $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete grants');

-- agent_specific_contact_access
select throws_ok($$ select * from public.agent_specific_contact_access $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select contact lists');
select throws_ok(
  $$ insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
     values ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002') $$,
  '42501', 'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert into contact lists');
select throws_ok($$ update public.agent_specific_contact_access set contact_id = 'c0000000-0000-4000-8000-000000000002' $$,
  '42501', 'permission denied for table agent_specific_contact_access',
  'a malformed agent token cannot update contact lists (no privilege)');
select throws_ok($$ delete from public.agent_specific_contact_access $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete from contact lists');

-- contact_interactions
select throws_ok($$ select * from public.contact_interactions $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select interactions');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, channel_type, direction, content)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'outbound', 'Malformed') $$,
  '42501', 'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert interactions');
select throws_ok($$ update public.contact_interactions set summary = 'x' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update interactions');
select throws_ok($$ delete from public.contact_interactions $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete interactions');

-- contact_import_jobs
select throws_ok($$ select * from public.contact_import_jobs $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select import jobs');
select throws_ok($$ insert into public.contact_import_jobs (file_name) values ('malformed.csv') $$, '42501',
  'permission denied for table contact_import_jobs', 'a malformed agent token cannot insert import jobs (no privilege)');
select throws_ok($$ update public.contact_import_jobs set error_summary = 'x' $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update import jobs');
select throws_ok($$ delete from public.contact_import_jobs $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete import jobs');

-- contact_import_job_errors
select throws_ok($$ select * from public.contact_import_job_errors $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select import errors');
select throws_ok(
  $$ insert into public.contact_import_job_errors (job_id, row_number, reason) values ('e0000000-0000-4000-8000-000000000001', 3, 'x') $$,
  '42501', 'permission denied for table contact_import_job_errors', 'a malformed agent token cannot insert import errors (no privilege)');
select throws_ok($$ update public.contact_import_job_errors set reason = 'x' $$, '42501',
  'permission denied for table contact_import_job_errors', 'a malformed agent token cannot update import errors (no privilege)');
select throws_ok($$ delete from public.contact_import_job_errors $$, '42501',
  'permission denied for table contact_import_job_errors', 'a malformed agent token cannot delete import errors (no privilege)');

-- contact_retention_policies
select throws_ok($$ select * from public.contact_retention_policies $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot select retention policies');
select throws_ok(
  $$ insert into public.contact_retention_policies (data_class, action, retain_days) values ('import_jobs', 'delete', 30) $$,
  '42501', 'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot insert retention policies');
select throws_ok($$ update public.contact_retention_policies set retain_days = 1 $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot update retention policies');
select throws_ok($$ delete from public.contact_retention_policies $$, '42501',
  'the agent_id claim of this token is not a uuid', 'a malformed agent token cannot delete retention policies');

-- Agent: other malformed shapes of the claim
select tests.authenticate_as('rls_owner', '{"agent_id": ""}');
select throws_ok($$ select * from public.contacts $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a token with an empty agent_id claim is refused, not treated as an owner token');
select tests.authenticate_as('rls_owner', '{"agent_id": 12345}');
select throws_ok($$ select * from public.contacts $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a token with a numeric agent_id claim is refused');
select tests.authenticate_as('rls_owner', '{"agent_id": {"id": "a0000000-0000-4000-8000-000000000001"}}');
select throws_ok($$ select * from public.contacts $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a token with an object as agent_id claim is refused');
select tests.authenticate_as('rls_owner', '{"agent_id": "a0000000-0000-4000-8000-000000000001 or true"}');
select throws_ok($$ select * from public.contacts $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a token whose agent_id claim is a uuid followed by junk is refused');
-- Currently fails (the token reads every contact of the owner): private.current_agent_id() reads
-- the claim with ->> and treats JSON null like an absent claim. See the RLS matrix report.
select tests.authenticate_as('rls_owner', '{"agent_id": null}');
select throws_ok($$ select * from public.contacts $$, '42501', 'the agent_id claim of this token is not a uuid',
  'a token whose agent_id claim is present but null is refused, not treated as an owner token');

select * from finish();
rollback;
