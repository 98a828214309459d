-- RLS matrix for public.contact_retention_policies: owners see and manage their own retention
-- policies; another owner matches none of them; agent tokens have no access; service_role bypasses
-- RLS. Anon: 10. Malformed agent claims: 22. Reassigning user_id: 23.
begin;
select plan(18);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contact_retention_policies (id, user_id, data_class, action, retain_days) values
  ('30000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'interactions', 'delete', 365),
  ('30000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'import_jobs', 'delete', 30),
  ('30000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'interactions', 'anonymize', 90);
insert into public.agents (id, user_id, name) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Editor');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000001', 'all_contacts', 'write');

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select data_class from public.contact_retention_policies order by data_class $$,
  $$ values ('import_jobs'), ('interactions') $$,
  'the owner sees exactly their own retention policies');
select results_eq(
  $$ insert into public.contact_retention_policies (data_class, action, retain_days)
     values ('interaction_content', 'anonymize', 180) returning user_id $$,
  $$ select tests.get_supabase_uid('rls_owner') $$,
  'the owner can create a retention policy, and it belongs to the owner');
select results_eq(
  $$ update public.contact_retention_policies set retain_days = 730 where id = '30000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('30000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can update their own retention policy');
select results_eq(
  $$ delete from public.contact_retention_policies where id = '30000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('30000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own retention policy');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.contact_retention_policies $$,
  $$ values ('30000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own retention policy, none of the owner''s');
select throws_ok(
  $$ insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
     values (tests.get_supabase_uid('rls_owner'), 'inactive_contacts', 'delete', 1) $$,
  '42501', 'permission denied for table contact_retention_policies',
  'the other owner cannot create a retention policy in the owner''s name');
select is_empty(
  $$ update public.contact_retention_policies set retain_days = 1 where id = '30000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot shorten the owner''s retention (no row matches)');
select is_empty(
  $$ delete from public.contact_retention_policies where id = '30000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s retention policy (no row matches)');

-- Agent: write grant on all the owner's contacts; retention is still out of reach
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000001');
select is_empty($$ select id from public.contact_retention_policies $$, 'an agent token sees no retention policies');
select throws_ok(
  $$ insert into public.contact_retention_policies (data_class, action, retain_days) values ('inactive_contacts', 'delete', 1) $$,
  '42501', 'new row violates row-level security policy for table "contact_retention_policies"',
  'an agent token cannot create retention policies');
select is_empty(
  $$ update public.contact_retention_policies set retain_days = 1 returning id $$,
  'an agent token cannot update retention policies (no row matches)');
select is_empty(
  $$ delete from public.contact_retention_policies returning id $$,
  'an agent token cannot delete retention policies (no row matches)');

-- Superuser: only the owner's own changes are in place
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select data_class, action, retain_days from public.contact_retention_policies
     where user_id = tests.get_supabase_uid('rls_owner') order by data_class $$,
  $$ values ('interaction_content', 'anonymize', 180), ('interactions', 'delete', 730) $$,
  'after the denied attempts the owner''s retention policies are exactly as the owner left them');
select results_eq(
  $$ select retain_days from public.contact_retention_policies where user_id = tests.get_supabase_uid('rls_other_owner') $$,
  $$ values (90) $$,
  'the other owner''s retention policy is untouched as well');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select data_class from public.contact_retention_policies
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by data_class $$,
  $$ values ('interaction_content'), ('interactions'), ('interactions') $$,
  'service_role sees the retention policies of every owner');
select results_eq(
  $$ insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
     values (tests.get_supabase_uid('rls_other_owner'), 'import_jobs', 'anonymize', 60) returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can create a retention policy for any owner by naming the owner');
select results_eq(
  $$ update public.contact_retention_policies set is_enabled = false where id = '30000000-0000-4000-8000-0000000000b1'
     returning is_enabled $$,
  $$ values (false) $$,
  'service_role can update any owner''s retention policy');
select results_eq(
  $$ delete from public.contact_retention_policies where id = '30000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('30000000-0000-4000-8000-000000000001'::uuid) $$,
  'service_role can delete any owner''s retention policy');

select * from finish();
rollback;
