-- An erasure leaves a running upload import alone (the import holds its job row before the contacts
-- it writes), so a job holding the subject that failed afterwards kept its CSV, the erased person's
-- row in it, for a resume. Now the erasure records such a job without locking or updating it, and
-- when the job fails it is given up as a cancel gives up a failed job: cancelled, its error kept,
-- its upload queued for contacts-retention, a dry run's claims gone (20251020000084). A running
-- job about someone else fails as before, another owner's job is not touched, and a job that
-- completes or is deleted leaves no record behind.
begin;
select plan(29);

-- ============================================================================================
-- Setup (superuser): erase199_owner's imports are running. Rosalind (erased by the owner) was
-- created by one and reported by another; Percival (anonymized by the service) is claimed by a dry
-- run; only error rows hold Ignatius's address (never a contact, erased by the service).
-- erase199_other's running job reports Ignatius's address too.
-- ============================================================================================
select tests.create_supabase_user('erase199_owner');
select tests.create_supabase_user('erase199_other');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('19900000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase199_owner'), 'Rosalind', 'Featherstonehaugh'),
  ('19900000-0000-4000-8000-000000000002', tests.get_supabase_uid('erase199_owner'), 'Percival', 'Umbridge'),
  ('19900000-0000-4000-8000-000000000003', tests.get_supabase_uid('erase199_owner'), 'Cornelius', 'Fairweather'),
  ('19900000-0000-4000-8000-000000000004', tests.get_supabase_uid('erase199_owner'), 'Bartholomew', 'Quince');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('erase199_owner'), '19900000-0000-4000-8000-000000000001', 'email', 'rosalind.f@example.com'),
  (tests.get_supabase_uid('erase199_owner'), '19900000-0000-4000-8000-000000000002', 'email', 'percival.u@example.com'),
  (tests.get_supabase_uid('erase199_owner'), '19900000-0000-4000-8000-000000000003', 'email', 'cornelius.f@example.com'),
  (tests.get_supabase_uid('erase199_owner'), '19900000-0000-4000-8000-000000000004', 'email', 'bartholomew.q@example.com');

create temporary table jobs (name text primary key, id uuid);
grant all on jobs to service_role, authenticated;
insert into jobs (name, id) values
  ('created', tests.create_import_job('erase199_owner', 'created199')),
  ('reported', tests.create_import_job('erase199_owner', 'reported199')),
  ('someone_else', tests.create_import_job('erase199_owner', 'someone_else199')),
  ('dry_run', tests.create_import_job('erase199_owner', 'dry_run199', dry_run => true)),
  ('never_a_contact', tests.create_import_job('erase199_owner', 'never_a_contact199')),
  ('meanwhile', tests.create_import_job('erase199_owner', 'meanwhile199')),
  ('other_owner', tests.create_import_job('erase199_other', 'other_owner199'));
insert into public.contact_import_changes (job_id, contact_id, user_id, action, contact_updated_at, row_number)
select jobs.id, '19900000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase199_owner'), 'created', now(), 2
from jobs where jobs.name = 'created';
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select j.user_id, j.id, 3, 'email', e.value, 'duplicate_in_file: the same address twice'
from (values ('reported', 'rosalind.f@example.com'), ('someone_else', 'cornelius.f@example.com'), ('meanwhile', 'bartholomew.q@example.com'),
             ('never_a_contact', 'ignatius.p@example.com'), ('other_owner', 'ignatius.p@example.com')) as e (job, value)
join jobs on jobs.name = e.job
join public.contact_import_jobs j on j.id = jobs.id;
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number, contact_id)
select jobs.id, tests.get_supabase_uid('erase199_owner'), c.kind, c.value, c.n, c.contact_id::uuid
from (values ('contact', '19900000-0000-4000-8000-000000000002', 2, '19900000-0000-4000-8000-000000000002'),
             ('email', 'someone.new@example.com', 3, null)) as c (kind, value, n, contact_id)
cross join jobs where jobs.name = 'dry_run';

create temporary table row_versions as select j.id, j.xmax::text::bigint as row_xmax from public.contact_import_jobs j join jobs using (id);
create function pg_temp.job_state(job_name text) returns text language sql as $$
  select j.status || case when exists (select 1 from private.import_uploads_to_remove q where q.storage_path = j.storage_path and q.user_id = j.user_id)
                          then ', upload queued' else ', upload kept' end
  from public.contact_import_jobs j join jobs on jobs.id = j.id where jobs.name = job_state.job_name
$$;
create function pg_temp.recorded(job_name text) returns boolean language sql as $$
  select exists (select 1 from private.import_jobs_given_up_when_they_fail g join jobs on jobs.id = g.job_id where jobs.name = recorded.job_name)
$$;
-- The worker's own statements when a job fails (import-contacts/process.ts, fail()).
create function pg_temp.worker_fails(job_name text, reason text) returns void language sql as $$
  insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, reason)
  select j.user_id, j.id, 1, null, worker_fails.reason from public.contact_import_jobs j join jobs using (id)
  where jobs.name = worker_fails.job_name and j.status = 'processing';
  update public.contact_import_jobs j set status = 'failed', error_summary = worker_fails.reason
  from jobs where jobs.id = j.id and jobs.name = worker_fails.job_name and j.status = 'processing';
$$;

-- ============================================================================================
-- Owner: erases Rosalind by her contact id while her imports run
-- ============================================================================================
select tests.authenticate_as('erase199_owner');
select is(public.gdpr_delete_subject(contact_id => '19900000-0000-4000-8000-000000000001') -> 'counts' ->> 'import_uploads', '0',
  'the erasure gives up no upload itself while the jobs holding Rosalind are running');
reset role;
select is(pg_temp.job_state('created'), 'processing, upload kept', 'the running job that created Rosalind is left to run');
select is((select count(*)::int from public.contact_import_jobs j join row_versions v using (id) where j.xmax::text::bigint <> v.row_xmax), 0,
  'the erasure neither locked nor updated any running job''s row (their row versions are as they were)');
select ok(pg_temp.recorded('created') and pg_temp.recorded('reported'),
  'the running jobs whose change log or error rows held Rosalind are recorded to be given up if they fail');
select ok(not pg_temp.recorded('someone_else'), 'the running job about someone else is not recorded');

-- ============================================================================================
-- Service (the import worker, on its own connection): the job that created Rosalind fails
-- ============================================================================================
select pg_temp.worker_fails('created', 'file_missing: the file of this import is no longer in storage');
select is(pg_temp.job_state('created'), 'cancelled, upload queued',
  'the job that created Rosalind, failing after her erasure, is cancelled and its upload queued for removal');
select is((select j.error_summary from public.contact_import_jobs j join jobs using (id) where jobs.name = 'created'),
  'file_missing: the file of this import is no longer in storage', 'the job given up keeps the summary of its failure');
select is((select count(*)::int from public.contact_import_job_errors e join jobs on jobs.id = e.job_id where jobs.name = 'created'), 1,
  'the job given up keeps the error line of its failure');
select is((select j.completed_at from public.contact_import_jobs j join jobs using (id) where jobs.name = 'created'), now(),
  'the job given up ended when it failed');
select ok(not pg_temp.recorded('created'), 'the job given up is no longer recorded');
select throws_ok($$ update public.contact_import_jobs j set status = 'processing' from jobs where jobs.id = j.id and jobs.name = 'created' $$,
  '23514', 'an import job cannot go from cancelled to processing', 'the job given up cannot be resumed');

-- ============================================================================================
-- Service (the import worker): the job about someone else fails; the one that reported Rosalind completes
-- ============================================================================================
select pg_temp.worker_fails('someone_else', 'file_missing: the file of this import is no longer in storage');
select is(pg_temp.job_state('someone_else'), 'failed, upload kept', 'the job about someone else fails as before and keeps its upload to resume');
update public.contact_import_jobs j set status = 'completed', total_rows = j.processed_rows from jobs where jobs.id = j.id and jobs.name = 'reported';
select is(pg_temp.job_state('reported'), 'completed, upload queued', 'the job that reported Rosalind completes as before');
select ok(not pg_temp.recorded('reported'), 'the job that completed is no longer recorded');

-- ============================================================================================
-- Service: anonymizes Percival, whom a running dry run claims
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(public.gdpr_delete_subject(contact_id => '19900000-0000-4000-8000-000000000002', mode => 'anonymize',
  owner_id => tests.get_supabase_uid('erase199_owner')) -> 'counts' ->> 'import_uploads', '0',
  'the anonymization gives up no upload itself while the dry run claiming Percival is running');
reset role;
select ok(pg_temp.recorded('dry_run'), 'the running dry run that claimed Percival is recorded to be given up if it fails');
select pg_temp.worker_fails('dry_run', 'processing_failed: the import stopped on an internal error');
select is(pg_temp.job_state('dry_run'), 'cancelled, upload queued', 'the dry run, failing after the anonymization, is cancelled and its upload queued');
select is((select count(*)::int from private.contact_import_dry_run_claims d join jobs on jobs.id = d.job_id where jobs.name = 'dry_run'), 0,
  'the dry run given up keeps no claim, as a cancelled one keeps none');

-- ============================================================================================
-- Service: erases Ignatius, whom only running jobs' error rows hold, by his address
-- ============================================================================================
select tests.authenticate_as_service_role();
select lives_ok($$ select public.gdpr_delete_subject(identifier => 'Ignatius.P@example.com', owner_id => tests.get_supabase_uid('erase199_owner')) $$,
  'the service erases Ignatius by his address');
reset role;
select ok(pg_temp.recorded('never_a_contact'), 'the running job whose error row held Ignatius''s address is recorded to be given up if it fails');
select ok(not pg_temp.recorded('other_owner'), 'another owner''s running job reporting the same address is not recorded');
select is((select count(*)::int from public.contact_import_jobs j join row_versions v using (id) join jobs using (id)
           where jobs.name in ('never_a_contact', 'other_owner') and j.xmax::text::bigint <> v.row_xmax), 0,
  'the erasure by address neither locked nor updated those running jobs'' rows');
select pg_temp.worker_fails('other_owner', 'file_missing: the file of this import is no longer in storage');
select is(pg_temp.job_state('other_owner'), 'failed, upload kept', 'another owner''s job fails as before and keeps its upload');

-- ============================================================================================
-- Owner: deletes the running job recorded for Ignatius
-- ============================================================================================
select tests.authenticate_as('erase199_owner');
delete from public.contact_import_jobs j using jobs where jobs.id = j.id and jobs.name = 'never_a_contact';
reset role;
select is((select count(*)::int from private.import_jobs_given_up_when_they_fail g
           where g.job_id not in (select j.id from public.contact_import_jobs j)), 0,
  'a deleted job leaves no record behind');

-- ============================================================================================
-- Owner: erases Bartholomew while his import runs; the import fails before the erasure commits,
-- on a connection that cannot see the erasure's record yet (its give-up trigger finds none)
-- ============================================================================================
select tests.authenticate_as('erase199_owner');
select lives_ok($$ select public.gdpr_delete_subject(contact_id => '19900000-0000-4000-8000-000000000004') $$,
  'the owner erases Bartholomew while the job reporting him runs');
reset role;
alter table public.contact_import_jobs disable trigger contact_import_jobs_give_up_when_asked;
select pg_temp.worker_fails('meanwhile', 'file_missing: the file of this import is no longer in storage');
alter table public.contact_import_jobs enable trigger contact_import_jobs_give_up_when_asked;
select is(pg_temp.job_state('meanwhile'), 'failed, upload kept', 'the job failed without seeing the erasure''s record');
set constraints all immediate;  -- what the erasure's commit runs
select is(pg_temp.job_state('meanwhile'), 'cancelled, upload queued',
  'at the erasure''s commit the job that failed meanwhile is given up: cancelled, its upload queued');

-- ============================================================================================
-- Owner: deletes a job; records whose job is gone (an erasure racing a delete) go with it
-- ============================================================================================
insert into private.import_jobs_given_up_when_they_fail (job_id, user_id) values
  (gen_random_uuid(), tests.get_supabase_uid('erase199_owner')),
  (gen_random_uuid(), tests.get_supabase_uid('erase199_other'));
select tests.authenticate_as('erase199_owner');
delete from public.contact_import_jobs j using jobs where jobs.id = j.id and jobs.name = 'someone_else';
reset role;
select is((select count(*)::int from private.import_jobs_given_up_when_they_fail g
           where g.user_id = tests.get_supabase_uid('erase199_owner') and g.job_id not in (select j.id from public.contact_import_jobs j)), 0,
  'deleting one of the owner''s jobs removes the owner''s records whose job is gone');
select is((select count(*)::int from private.import_jobs_given_up_when_they_fail g where g.user_id = tests.get_supabase_uid('erase199_other')), 1,
  'another owner''s records are not touched by that delete');

select * from finish();
rollback;
