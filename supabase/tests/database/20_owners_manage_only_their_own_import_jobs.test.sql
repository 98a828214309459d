-- RLS matrix for public.contact_import_jobs and public.contact_import_job_errors: owners see their
-- own imports, cancel and resume them (status, error summary) and delete them; jobs, counts and error
-- reports are written by the import only (private.create_import_job, the batch function, the worker
-- as the service), so no owner inserts a job (with another owner's file), rewrites its counts or adds
-- error rows (20251015000005); another owner sees none of it; agent tokens have no access;
-- service_role bypasses RLS. Anon: 10.
begin;
select plan(37);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contact_import_jobs (id, user_id, file_name) values
  ('e0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'contacts.csv'),
  ('e0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'old.csv'),
  ('e0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'rival.csv');
insert into public.contact_import_job_errors (user_id, job_id, row_number, reason) values
  (tests.get_supabase_uid('rls_owner'), 'e0000000-0000-4000-8000-000000000001', 2, 'missing name'),
  (tests.get_supabase_uid('rls_other_owner'), 'e0000000-0000-4000-8000-0000000000b1', 3, 'bad e-mail');
insert into public.agents (id, user_id, name) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Editor');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000001', 'all_contacts', 'write');

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select file_name from public.contact_import_jobs order by file_name $$,
  $$ values ('contacts.csv'), ('old.csv') $$,
  'the owner sees exactly their own import jobs');
select throws_ok(
  $$ insert into public.contact_import_jobs (file_name, storage_path) values ('new.csv', 'imports/someone-else/contacts.csv') $$,
  '42501', 'permission denied for table contact_import_jobs',
  'the owner cannot insert a job row: jobs come from the import function');
select throws_ok(
  $$ select * from private.create_import_job(tests.get_supabase_uid('rls_owner'), 'theirs.csv', 1, repeat('a', 64),
       'imports/' || tests.get_supabase_uid('rls_other_owner') || '/contacts.csv', 'storage', '{}', '{}', false, 1, false) $$,
  '42501', 'the file of an import must be in its owner''s folder of Storage (<bucket>/<owner id>/...)',
  'the owner cannot create a job that reads another owner''s file');
select throws_ok(
  $$ update public.contact_import_jobs set created_count = 0, skipped_count = 0 where id = 'e0000000-0000-4000-8000-000000000001' $$,
  '42501', 'permission denied for table contact_import_jobs',
  'the owner cannot rewrite the counts of their import');
select results_eq(
  $$ update public.contact_import_jobs set status = 'processing' where id = 'e0000000-0000-4000-8000-000000000001' returning status $$,
  $$ values ('processing') $$,
  'the owner can update the status of their own import job (cancel, resume)');
select results_eq(
  $$ delete from public.contact_import_jobs where id = 'e0000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('e0000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own import job');
select results_eq(
  $$ select job_id, row_number, reason from public.contact_import_job_errors $$,
  $$ values ('e0000000-0000-4000-8000-000000000001'::uuid, 2::bigint, 'missing name') $$,
  'the owner sees exactly the error reports of their own imports');
select throws_ok(
  $$ insert into public.contact_import_job_errors (job_id, row_number, column_name, reason)
     values ('e0000000-0000-4000-8000-000000000001', 5, 'email', 'invalid e-mail address') $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the owner cannot add error rows to their import: the import writes the report');
select throws_ok(
  $$ update public.contact_import_job_errors set reason = 'rewritten' $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the owner cannot rewrite an error report: it is append-only');
select throws_ok(
  $$ delete from public.contact_import_job_errors $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the owner cannot delete single error rows: they go with their job');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.contact_import_jobs $$,
  $$ values ('e0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own import job, none of the owner''s');
select throws_ok(
  $$ insert into public.contact_import_jobs (user_id, file_name) values (tests.get_supabase_uid('rls_owner'), 'planted.csv') $$,
  '42501', 'permission denied for table contact_import_jobs',
  'the other owner cannot start an import in the owner''s name');
select is_empty(
  $$ update public.contact_import_jobs set status = 'cancelled' where id = 'e0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot update the owner''s import job (no row matches)');
select is_empty(
  $$ delete from public.contact_import_jobs where id = 'e0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s import job (no row matches)');
select results_eq(
  $$ select job_id from public.contact_import_job_errors $$,
  $$ values ('e0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own import''s error report');
select throws_ok(
  $$ insert into public.contact_import_job_errors (job_id, row_number, reason) values ('e0000000-0000-4000-8000-000000000001', 9, 'planted') $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the other owner cannot add error rows to the owner''s import');
select throws_ok(
  $$ update public.contact_import_job_errors set reason = 'rewritten' $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the other owner cannot rewrite error reports');
select throws_ok(
  $$ delete from public.contact_import_job_errors $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'the other owner cannot delete error rows');

-- Agent: write grant on all the owner's contacts; imports are still out of reach
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000001');
select is_empty($$ select id from public.contact_import_jobs $$, 'an agent token sees no import jobs');
select throws_ok(
  $$ insert into public.contact_import_jobs (file_name) values ('agent.csv') $$,
  '42501', 'permission denied for table contact_import_jobs',
  'an agent token cannot start imports');
select is_empty(
  $$ update public.contact_import_jobs set status = 'cancelled' returning id $$,
  'an agent token cannot update import jobs (no row matches)');
select is_empty($$ delete from public.contact_import_jobs returning id $$, 'an agent token cannot delete import jobs');
select is_empty($$ select id from public.contact_import_job_errors $$, 'an agent token sees no import errors');
select throws_ok(
  $$ insert into public.contact_import_job_errors (job_id, row_number, reason) values ('e0000000-0000-4000-8000-000000000001', 7, 'by agent') $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'an agent token cannot add import errors');
select throws_ok(
  $$ update public.contact_import_job_errors set reason = 'by agent' $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'an agent token cannot rewrite import errors');
select throws_ok(
  $$ delete from public.contact_import_job_errors $$,
  '42501', 'permission denied for table contact_import_job_errors',
  'an agent token cannot delete import errors');

-- Superuser: only the owner's own changes are in place
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select file_name, status from public.contact_import_jobs
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by file_name $$,
  $$ values ('contacts.csv', 'processing'), ('rival.csv', 'pending') $$,
  'after the denied attempts the import jobs hold only the owner''s own changes');
select results_eq(
  $$ select job_id, row_number, reason from public.contact_import_job_errors
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by row_number $$,
  $$ values ('e0000000-0000-4000-8000-000000000001'::uuid, 2::bigint, 'missing name'),
            ('e0000000-0000-4000-8000-0000000000b1'::uuid, 3::bigint, 'bad e-mail') $$,
  'after the denied attempts the error reports are as the import wrote them');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select file_name from public.contact_import_jobs
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by file_name $$,
  $$ values ('contacts.csv'), ('rival.csv') $$,
  'service_role sees the import jobs of every owner');
select results_eq(
  $$ insert into public.contact_import_jobs (user_id, file_name) values (tests.get_supabase_uid('rls_other_owner'), 'service.csv')
     returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can start an import for any owner by naming the owner');
select results_eq(
  $$ update public.contact_import_jobs set status = 'failed', error_summary = 'storage unavailable'
     where id = 'e0000000-0000-4000-8000-0000000000b1' returning status $$,
  $$ values ('failed') $$,
  'service_role can update any owner''s import job');
select results_eq(
  $$ delete from public.contact_import_jobs where file_name = 'service.csv' and user_id = tests.get_supabase_uid('rls_other_owner')
     returning file_name $$,
  $$ values ('service.csv') $$,
  'service_role can delete any owner''s import job');
select results_eq(
  $$ select reason from public.contact_import_job_errors
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by reason $$,
  $$ values ('bad e-mail'), ('missing name') $$,
  'service_role sees the import errors of every owner');
select results_eq(
  $$ insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
     values (tests.get_supabase_uid('rls_other_owner'), 'e0000000-0000-4000-8000-0000000000b1', 4, 'duplicate') returning reason $$,
  $$ values ('duplicate') $$,
  'service_role can add error rows to any owner''s import');
select throws_ok(
  $$ insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
     values (tests.get_supabase_uid('rls_other_owner'), 'e0000000-0000-4000-8000-000000000001', 4, 'crossed') $$,
  '23503',
  'insert or update on table "contact_import_job_errors" violates foreign key constraint "contact_import_job_errors_job_fkey"',
  'even service_role cannot add one owner''s error row to another owner''s import');
select results_eq(
  $$ update public.contact_import_job_errors set value_excerpt = 'bob@' where reason = 'bad e-mail'
       and user_id = tests.get_supabase_uid('rls_other_owner') returning value_excerpt $$,
  $$ values ('bob@') $$,
  'service_role can update any owner''s error rows');
select results_eq(
  $$ with deleted as (
       delete from public.contact_import_job_errors where job_id = 'e0000000-0000-4000-8000-000000000001' returning row_number)
     select row_number from deleted order by row_number $$,
  $$ values (2::bigint) $$,
  'service_role can delete any owner''s error rows');

select * from finish();
rollback;
