-- Import jobs: the status machine (pending -> processing -> completed | failed | cancelled;
-- failed -> processing resumes) stamps started_at and completed_at, and the counts always add up:
-- created + updated + skipped + failed = processed <= total, and a completed job processed every
-- row. Error rows point at the owner's own job. Run as the service, as the import's worker writes
-- (owners only cancel, resume and delete: 20).
begin;
select plan(32);

-- Fixtures (superuser): an owner, and a rival with a job of their own.
do $$
declare
  rival_id uuid;
begin
  perform tests.create_supabase_user('import_owner');
  rival_id := tests.create_supabase_user('import_rival');
  insert into public.contact_import_jobs (id, user_id, file_name) values
    ('34000000-0000-4000-8000-0000000000f1', rival_id, 'rival.csv');
end
$$;

-- ============================================================================================
-- Persona: the import (service) for import_owner -- a job from start to finish
-- ============================================================================================
select tests.authenticate_as_service_role();

select lives_ok($$ insert into public.contact_import_jobs (user_id, file_name, total_rows) values (tests.get_supabase_uid('import_owner'), 'contacts.csv', 10) $$,
  'the import can register an import of a ten-row file');
select results_eq($$
  select status, processed_rows + created_count + updated_count + skipped_count + failed_count, started_at is null and completed_at is null
  from public.contact_import_jobs where file_name = 'contacts.csv'
$$, $$ values ('pending'::text, 0::bigint, true) $$,
  'a new job is pending, with every count at zero and no timestamps');
select throws_ok($$ update public.contact_import_jobs set status = 'completed' where file_name = 'contacts.csv' $$,
  '23514', 'an import job cannot go from pending to completed',
  'the import cannot complete a job that never started');
select lives_ok($$ update public.contact_import_jobs set status = 'processing' where file_name = 'contacts.csv' $$,
  'the import can start a pending job');
select ok((select started_at is not null from public.contact_import_jobs where file_name = 'contacts.csv'),
  'starting a job stamps started_at');

select throws_ok($$
  update public.contact_import_jobs
  set processed_rows = 10, created_count = 5, updated_count = 2, skipped_count = 1, failed_count = 1
  where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_counts_check"',
  'the import cannot record 10 processed rows when only 9 are accounted for');
select throws_ok($$
  update public.contact_import_jobs set processed_rows = 3 where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_counts_check"',
  'the import cannot count processed rows without saying what became of them');
select throws_ok($$
  update public.contact_import_jobs set processed_rows = 11, created_count = 11 where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_counts_check"',
  'the import cannot process more rows than the file has');
select throws_ok($$
  update public.contact_import_jobs set created_count = 2, skipped_count = -2 where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_counts_check"',
  'the import cannot balance the books with a negative count');
select lives_ok($$
  update public.contact_import_jobs set processed_rows = 4, created_count = 3, failed_count = 1 where file_name = 'contacts.csv'
$$, 'the import can record progress whose counts add up (3 created + 1 failed = 4 processed)');
select throws_ok($$
  update public.contact_import_jobs set total_rows = 3 where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_counts_check"',
  'the import cannot shrink the total below the rows already processed');
select throws_ok($$ update public.contact_import_jobs set status = 'completed' where file_name = 'contacts.csv' $$,
  '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_completed_check"',
  'the import cannot complete a job with 6 of its 10 rows unprocessed');
select lives_ok($$
  update public.contact_import_jobs
  set status = 'completed', processed_rows = 10, created_count = 6, updated_count = 2, skipped_count = 1, failed_count = 1
  where file_name = 'contacts.csv'
$$, 'the import can complete a job whose ten rows are all accounted for (6 + 2 + 1 + 1)');
select results_eq($$
  select status, created_count + updated_count + skipped_count + failed_count = processed_rows and processed_rows = total_rows,
         completed_at is not null and completed_at >= started_at
  from public.contact_import_jobs where file_name = 'contacts.csv'
$$, $$ values ('completed'::text, true, true) $$,
  'the completed job balances exactly and has completed_at stamped after started_at');
select throws_ok($$ update public.contact_import_jobs set status = 'processing' where file_name = 'contacts.csv' $$,
  '23514', 'an import job cannot go from completed to processing',
  'the import cannot restart a completed job');
select throws_ok($$ update public.contact_import_jobs set status = 'failed' where file_name = 'contacts.csv' $$,
  '23514', 'an import job cannot go from completed to failed',
  'the import cannot mark a completed job as failed');

-- ============================================================================================
-- Persona: the import (service) for import_owner -- failure, resumption and cancellation
-- ============================================================================================
select lives_ok($$ insert into public.contact_import_jobs (user_id, file_name) values (tests.get_supabase_uid('import_owner'), 'flaky.csv') $$,
  'the import can register a second import');
select lives_ok($$ update public.contact_import_jobs set status = 'processing' where file_name = 'flaky.csv' $$,
  'the import can start the second import');
select lives_ok($$
  update public.contact_import_jobs set status = 'failed', error_summary = 'storage timeout' where file_name = 'flaky.csv'
$$, 'the import can mark a processing job as failed');
select ok((select completed_at is not null from public.contact_import_jobs where file_name = 'flaky.csv'),
  'failing a job stamps completed_at');
select lives_ok($$ update public.contact_import_jobs set status = 'processing' where file_name = 'flaky.csv' $$,
  'the import can resume a failed job');
select lives_ok($$ insert into public.contact_import_jobs (user_id, file_name) values (tests.get_supabase_uid('import_owner'), 'unwanted.csv') $$,
  'the import can register a third import');
select lives_ok($$ update public.contact_import_jobs set status = 'cancelled' where file_name = 'unwanted.csv' $$,
  'the import can cancel a pending job');
select throws_ok($$ update public.contact_import_jobs set status = 'processing' where file_name = 'unwanted.csv' $$,
  '23514', 'an import job cannot go from cancelled to processing',
  'the import cannot start a cancelled job');
select throws_ok($$ update public.contact_import_jobs set status = 'exploded' where file_name = 'flaky.csv' $$,
  '23514', 'an import job cannot go from processing to exploded',
  'the import cannot move a job to an unknown status');

-- ============================================================================================
-- Persona: the import (service) for import_owner -- bad jobs from the start
-- ============================================================================================
select throws_ok($$ insert into public.contact_import_jobs (user_id, file_name, status) values (tests.get_supabase_uid('import_owner'), 'odd.csv', 'exploded') $$,
  '23514', 'an import job starts as pending, not exploded',
  'the import cannot register a job in an unknown status');
select throws_ok($$
  insert into public.contact_import_jobs (user_id, file_name, status, total_rows) values (tests.get_supabase_uid('import_owner'), 'instant.csv', 'completed', 0)
$$, '23514', 'an import job starts as pending, not completed',
  'the import cannot register a job as already completed: every job starts pending');
select throws_ok($$
  insert into public.contact_import_jobs (user_id, file_name, file_sha256) values (tests.get_supabase_uid('import_owner'), 'hash.csv', upper(repeat('ab', 32)))
$$, '23514', 'new row for relation "contact_import_jobs" violates check constraint "contact_import_jobs_sha256_check"',
  'the import cannot record a file hash that is not 64 lower-case hex digits');

-- ============================================================================================
-- Persona: the import (service) for import_owner -- error rows
-- ============================================================================================
select lives_ok($$
  insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
  select user_id, id, 7, 'email', 'ada@', 'invalid e-mail address' from public.contact_import_jobs where file_name = 'contacts.csv'
$$, 'the import can record why line 7 of their import failed');
select throws_ok($$
  insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
  select user_id, id, 0, 'before the header' from public.contact_import_jobs where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_job_errors" violates check constraint "contact_import_job_errors_row_number_check"',
  'the import cannot record an error on line 0 (the header is line 1)');
select throws_ok($$
  insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
  select user_id, id, 8, '' from public.contact_import_jobs where file_name = 'contacts.csv'
$$, '23514', 'new row for relation "contact_import_job_errors" violates check constraint "contact_import_job_errors_text_check"',
  'the import cannot record an error row without a reason');
select throws_ok($$
  insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
  values (tests.get_supabase_uid('import_owner'), '34000000-0000-4000-8000-0000000000f1', 2, 'planted')
$$, '23503', 'insert or update on table "contact_import_job_errors" violates foreign key constraint "contact_import_job_errors_job_fkey"',
  'no owner''s error row can join another owner''s import');

select * from finish();
rollback;
