-- A failed import keeps its uploaded CSV for a resume; an erasure (either mode) gives up, in its own
-- transaction, each failed job of the owner whose upload the database knows holds the subject (its
-- change log names the subject's contact, or an error row holds the subject's identifier), as a
-- cancel gives it up: cancelled, its end kept, its upload queued for contacts-retention to remove
-- (20251020000072). A job about someone else, a namesake's, a running one, one reading a file the
-- owner put in Storage, and another owner's job naming the same address all stay as they were.
begin;
select plan(20);

-- ============================================================================================
-- Setup (superuser): erase188_owner imported Wilhelmina (erased below) and Bartholomew
-- (anonymized below) in jobs that failed afterwards; another Wilhelmina Oakenshield is a namesake
-- with another address. Ivo never became a contact: only an error row of a failed job holds his
-- address. erase188_other's failed job reports both addresses.
-- ============================================================================================
select tests.create_supabase_user('erase188_owner');
select tests.create_supabase_user('erase188_other');
insert into public.agents (id, user_id, name) values ('a1880000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase188_owner'), 'helper');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('18800000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase188_owner'), 'Wilhelmina', 'Oakenshield'),
  ('18800000-0000-4000-8000-000000000002', tests.get_supabase_uid('erase188_owner'), 'Bartholomew', 'Quenby'),
  ('18800000-0000-4000-8000-000000000003', tests.get_supabase_uid('erase188_owner'), 'Wilhelmina', 'Oakenshield'),
  ('18800000-0000-4000-8000-000000000004', tests.get_supabase_uid('erase188_owner'), 'Cornelius', 'Fairweather');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('erase188_owner'), '18800000-0000-4000-8000-000000000001', 'email', 'wilhelmina.oakenshield@example.com'),
  (tests.get_supabase_uid('erase188_owner'), '18800000-0000-4000-8000-000000000002', 'email', 'bart.quenby@example.com'),
  (tests.get_supabase_uid('erase188_owner'), '18800000-0000-4000-8000-000000000003', 'email', 'w.oakenshield@elsewhere.example'),
  (tests.get_supabase_uid('erase188_owner'), '18800000-0000-4000-8000-000000000004', 'email', 'cornelius.fairweather@example.com');

update public.contacts set external_id = '1042' where id = '18800000-0000-4000-8000-000000000001';

create temporary table jobs (name text primary key, id uuid, path text);
grant all on jobs to service_role, authenticated;
insert into jobs (name, id) values
  ('created', tests.create_import_job('erase188_owner', 'created188')),
  ('reported', tests.create_import_job('erase188_owner', 'reported188')),
  ('someone_else', tests.create_import_job('erase188_owner', 'someone_else188')),
  ('namesake', tests.create_import_job('erase188_owner', 'namesake188')),
  ('running', tests.create_import_job('erase188_owner', 'running188')),
  ('owners_file', tests.create_import_job('erase188_owner', 'owners_file188', source => 'storage')),
  ('anonymized', tests.create_import_job('erase188_owner', 'anonymized188')),
  ('never_a_contact', tests.create_import_job('erase188_owner', 'never_a_contact188')),
  ('external_id_word', tests.create_import_job('erase188_owner', 'external_id_word188')),
  ('other_owner', tests.create_import_job('erase188_other', 'other_owner188'));
-- Uploads are named as the function names them: imports/<owner id>/<uuid>.csv.
update jobs set path = 'imports/' || (select j.user_id from public.contact_import_jobs j where j.id = jobs.id) || '/' || gen_random_uuid() || '.csv';
update jobs set path = 'contacts-bucket/' || tests.get_supabase_uid('erase188_owner') || '/crm-export.csv' where name = 'owners_file';
update public.contact_import_jobs j set storage_path = jobs.path from jobs where j.id = jobs.id;
update public.contact_import_jobs j set status = 'failed', error_summary = 'processing_failed: the import stopped on an internal error'
from jobs where j.id = jobs.id and jobs.name <> 'running';
update public.contact_import_jobs j set completed_at = '2025-10-01 12:00+00' from jobs where j.id = jobs.id and jobs.name <> 'running';
insert into public.contact_import_changes (job_id, contact_id, user_id, action, contact_updated_at, row_number)
select jobs.id, c.contact_id::uuid, tests.get_supabase_uid('erase188_owner'), c.action, now(), 2
from (values ('created', '18800000-0000-4000-8000-000000000001', 'created'),
             ('running', '18800000-0000-4000-8000-000000000001', 'created'),
             ('owners_file', '18800000-0000-4000-8000-000000000001', 'created'),
             ('someone_else', '18800000-0000-4000-8000-000000000004', 'created'),
             ('anonymized', '18800000-0000-4000-8000-000000000002', 'updated')) as c (job, contact_id, action)
join jobs on jobs.name = c.job;
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select j.user_id, j.id, 3, e.column_name, e.value, 'duplicate_in_file: the same address twice'
from (values ('reported', 'email', 'wilhelmina.oakenshield@example.com'),
             ('someone_else', 'email', 'cornelius.fairweather@example.com'),
             ('namesake', 'name', 'Wilhelmina Oakenshield'),
             ('never_a_contact', 'email', 'ivo.brackenridge@example.com'),
             ('external_id_word', 'phone', '555-1042'),
             ('other_owner', 'email', 'wilhelmina.oakenshield@example.com'),
             ('other_owner', 'email', 'ivo.brackenridge@example.com')) as e (job, column_name, value)
join jobs on jobs.name = e.job
join public.contact_import_jobs j on j.id = jobs.id;

create temporary table receipts (label text primary key, receipt jsonb);
grant all on receipts to service_role, authenticated;
create function pg_temp.job_state(job_name text) returns text language sql as $$
  select j.status || case when exists (select 1 from private.import_uploads_to_remove q where q.storage_path = j.storage_path and q.user_id = j.user_id)
                          then ', upload queued' else ', upload kept' end
  from public.contact_import_jobs j join jobs on jobs.id = j.id where jobs.name = job_state.job_name
$$;

-- ============================================================================================
-- Agent tokens: cannot give up the owner's imports through the helper
-- ============================================================================================
select tests.authenticate_as_agent('erase188_owner', 'a1880000-0000-4000-8000-000000000001');
select throws_ok($$ select private.failed_imports_holding(tests.get_supabase_uid('erase188_owner'), '18800000-0000-4000-8000-000000000001', '{}') $$,
  'P0002', 'contact not found', 'an agent token cannot give up its owner''s imports');

-- ============================================================================================
-- Other owner: cannot give up the owner's imports through the helper
-- ============================================================================================
select tests.authenticate_as('erase188_other');
select throws_ok($$ select private.failed_imports_holding(tests.get_supabase_uid('erase188_owner'), '18800000-0000-4000-8000-000000000001', '{}') $$,
  'P0002', 'contact not found', 'another owner cannot give up the owner''s imports');
reset role;
select is(pg_temp.job_state('created'), 'failed, upload kept', 'before any erasure the failed job that created Wilhelmina keeps its upload to resume');

-- ============================================================================================
-- Owner: erases Wilhelmina by her contact id
-- ============================================================================================
select tests.authenticate_as('erase188_owner');
insert into receipts values ('erase', public.gdpr_delete_subject(contact_id => '18800000-0000-4000-8000-000000000001'));
reset role;
select is((select receipt -> 'counts' ->> 'import_uploads' from receipts where label = 'erase'), '2',
  'the erasure''s receipt counts the two failed imports it gave up');
select is(pg_temp.job_state('created'), 'cancelled, upload queued',
  'the failed job whose change log created Wilhelmina is cancelled and its upload queued for removal');
select is((select j.completed_at from public.contact_import_jobs j join jobs using (id) where jobs.name = 'created'), '2025-10-01 12:00+00'::timestamptz,
  'the job given up keeps the time it failed as its end, as a cancel keeps it');
select is(pg_temp.job_state('reported'), 'cancelled, upload queued',
  'the failed job that only reported Wilhelmina''s address in an error row is cancelled and its upload queued');
select is(pg_temp.job_state('someone_else'), 'failed, upload kept', 'the owner''s failed job about someone else stays failed with its upload');
select is(pg_temp.job_state('namesake'), 'failed, upload kept',
  'the failed job that reported only the name Wilhelmina''s namesake also holds stays failed with its upload');
select is(pg_temp.job_state('running'), 'processing, upload kept', 'the running job that created Wilhelmina is left to run');
select is(pg_temp.job_state('external_id_word'), 'failed, upload kept',
  'the failed job whose error row holds Wilhelmina''s external id 1042 only as a word of another value (555-1042) stays failed with its upload');
select is(pg_temp.job_state('owners_file'), 'failed, upload kept',
  'the failed job reading a file the owner put in Storage stays failed, and that file is never queued');
select is(pg_temp.job_state('other_owner'), 'failed, upload kept',
  'another owner''s failed job reporting the same address stays failed with its upload');

-- ============================================================================================
-- Service: anonymizes Bartholomew for the owner
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into receipts values ('anonymize', public.gdpr_delete_subject(contact_id => '18800000-0000-4000-8000-000000000002', mode => 'anonymize',
  owner_id => tests.get_supabase_uid('erase188_owner')));
reset role;
select is((select receipt -> 'counts' ->> 'import_uploads' from receipts where label = 'anonymize'), '1',
  'the anonymization''s receipt counts the failed import it gave up');
select is(pg_temp.job_state('anonymized'), 'cancelled, upload queued',
  'the failed job whose change log updated Bartholomew is cancelled by his anonymization and its upload queued');
select is(pg_temp.job_state('someone_else'), 'failed, upload kept', 'the anonymization leaves the failed job about someone else as it was');

-- ============================================================================================
-- Service: erases Ivo, whom only a failed job's error row holds, by his address
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into receipts values ('identifier', public.gdpr_delete_subject(identifier => 'Ivo.Brackenridge@example.com',
  owner_id => tests.get_supabase_uid('erase188_owner')));
reset role;
select is((select receipt -> 'counts' ->> 'import_uploads' from receipts where label = 'identifier'), '1',
  'the erasure by an address no contact holds counts the failed import it gave up');
select is(pg_temp.job_state('never_a_contact'), 'cancelled, upload queued',
  'the failed job whose error row held Ivo''s address is cancelled and its upload queued');
select is(pg_temp.job_state('other_owner'), 'failed, upload kept',
  'another owner''s failed job reporting Ivo''s address too stays failed with its upload');
select is((select count(*)::int from private.import_uploads_to_remove q where q.user_id = tests.get_supabase_uid('erase188_other')), 0,
  'nothing of the other owner is queued for removal');

select * from finish();
rollback;
