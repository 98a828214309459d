begin;
select plan(20);

-- Row level security of the audit log, every role and command: an owner reads their own trail
-- and nobody else's; an agent-scoped token reads none of it; nobody writes it through the API
-- (no insert, update or delete privilege for authenticated; the triggers write it); anon holds
-- nothing; the service role reads everything and may delete (retention).

-- ============================================================================================
-- Setup (superuser): two owners, each with a contact (and so an audit row), an agent of the first.
-- ============================================================================================
select tests.create_supabase_user('trail_owner');
select tests.create_supabase_user('trail_other_owner');
insert into public.agents (id, user_id, name) values
  ('a0830000-0000-4000-8000-000000000001', tests.get_supabase_uid('trail_owner'), 'Trail reader');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('trail_owner'), 'a0830000-0000-4000-8000-000000000001', 'all_contacts', 'write');
insert into public.contacts (id, user_id, display_name) values
  ('c0830000-0000-4000-8000-000000000001', tests.get_supabase_uid('trail_owner'), 'Owner''s contact'),
  ('c0830000-0000-4000-8000-000000000002', tests.get_supabase_uid('trail_other_owner'), 'Other owner''s contact');

select ok(relrowsecurity, 'row level security is enabled on public.contact_audit_log')
from pg_catalog.pg_class where oid = 'public.contact_audit_log'::regclass;

-- ============================================================================================
-- Persona: anon
-- ============================================================================================
select tests.clear_authentication();
select throws_ok($$ select * from public.contact_audit_log $$, '42501', 'permission denied for table contact_audit_log',
  'anon cannot read the audit log');
select throws_ok($$ insert into public.contact_audit_log (user_id, table_name, row_id, action, actor_role)
                    values (gen_random_uuid(), 'contacts', gen_random_uuid(), 'insert', 'anon') $$,
  '42501', 'permission denied for table contact_audit_log', 'anon cannot write the audit log');
select throws_ok($$ delete from public.contact_audit_log $$, '42501', 'permission denied for table contact_audit_log',
  'anon cannot delete from the audit log');

-- ============================================================================================
-- Persona: owner (authenticated)
-- ============================================================================================
select tests.authenticate_as('trail_owner');
select ok((select count(*) from public.contact_audit_log where row_id = 'c0830000-0000-4000-8000-000000000001') = 1,
  'an owner reads the audit row of their own contact');
select is_empty($$ select id from public.contact_audit_log where user_id <> (select auth.uid()) $$,
  'an owner reads no audit row of anyone else');
select is_empty($$ select id from public.contact_audit_log where row_id = 'c0830000-0000-4000-8000-000000000002' $$,
  'an owner cannot find another owner''s audit row even by its row id');
select throws_ok($$ insert into public.contact_audit_log (user_id, table_name, row_id, action, actor_role)
                    values ((select auth.uid()), 'contacts', gen_random_uuid(), 'delete', 'authenticated') $$,
  '42501', 'permission denied for table contact_audit_log', 'an owner cannot forge an audit row');
select throws_ok($$ update public.contact_audit_log set actor_role = 'nobody' $$,
  '42501', 'permission denied for table contact_audit_log', 'an owner cannot rewrite their audit trail');
select throws_ok($$ delete from public.contact_audit_log $$,
  '42501', 'permission denied for table contact_audit_log', 'an owner cannot erase their audit trail');
select throws_ok($$ select private.record_contact_audit() $$,
  '0A000', 'trigger functions can only be called as triggers', 'an owner cannot call the audit trigger function directly');

-- ============================================================================================
-- Persona: other owner (authenticated)
-- ============================================================================================
select tests.authenticate_as('trail_other_owner');
select is((select array_agg(row_id) from public.contact_audit_log), array['c0830000-0000-4000-8000-000000000002'::uuid],
  'the other owner reads exactly their own audit row');

-- ============================================================================================
-- Persona: agent (the first owner's agent-scoped token, with a write grant)
-- ============================================================================================
select tests.authenticate_as_agent('trail_owner', 'a0830000-0000-4000-8000-000000000001');
update public.contacts set job_title = 'Edited by the agent' where id = 'c0830000-0000-4000-8000-000000000001';
select is_empty($$ select id from public.contact_audit_log $$,
  'an agent-scoped token reads no audit row, not even of the change it just made');
select throws_ok($$ delete from public.contact_audit_log $$,
  '42501', 'permission denied for table contact_audit_log', 'an agent-scoped token cannot erase the audit trail');

select tests.authenticate_as('trail_owner');
select is((select actor_agent_id from public.contact_audit_log where action = 'update'), 'a0830000-0000-4000-8000-000000000001'::uuid,
  'the owner reads the agent''s change in their trail');

-- ============================================================================================
-- Persona: service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select count(distinct user_id) from public.contact_audit_log
           where row_id in ('c0830000-0000-4000-8000-000000000001', 'c0830000-0000-4000-8000-000000000002')), 2::bigint,
  'the service role reads every owner''s audit rows');
select lives_ok($$ delete from public.contact_audit_log where row_id = 'c0830000-0000-4000-8000-000000000002' $$,
  'the service role may delete audit rows (retention of the audit_log data class)');
select is((select count(*) from public.contact_audit_log where row_id = 'c0830000-0000-4000-8000-000000000002'), 0::bigint,
  'the service role''s delete took effect');

-- ============================================================================================
-- Catalog: exactly one policy, select for authenticated; no write grant.
-- ============================================================================================
reset role;
select policies_are('public', 'contact_audit_log', array['contact_audit_log_select_policy'],
  'the audit log has a select policy only: clients never write it');
select table_privs_are('public', 'contact_audit_log', 'authenticated', array['SELECT'],
  'authenticated holds select on the audit log and nothing else');

select * from finish();
rollback;
