-- Import batches (private.import_contacts_batch) as the import function runs them: every row is
-- created, updated, skipped or failed with a reason, the job's counts and resume position move with
-- the batch, duplicates follow the policy, another owner's contacts are never matched or touched,
-- dry runs write no contacts, and undo removes and restores exactly what the job did. Jobs are
-- created through private.create_import_job, which recognises the same file (SHA-256).
begin;
select plan(31);

-- Fixtures (superuser): an owner with one contact, a rival owner with a contact of the same e-mail.
do $$
declare
  owner_id uuid := tests.create_supabase_user('batch_owner');
  rival_id uuid := tests.create_supabase_user('batch_rival');
begin
  insert into public.contacts (id, user_id, first_name, last_name) values
    ('50000000-0000-4000-8000-000000000001', owner_id, 'Ada', 'Old'),
    ('50000000-0000-4000-8000-000000000002', rival_id, 'Rival', 'Ada');
  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
    (owner_id, '50000000-0000-4000-8000-000000000001', 'email', 'ada@example.com'),
    (rival_id, '50000000-0000-4000-8000-000000000002', 'email', 'grace@example.com');
end
$$;

-- ============================================================================================
-- Persona: owner (batch_owner) -- creating a job, recognising the same file
-- ============================================================================================
select tests.authenticate_as('batch_owner');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids select 'main', job_id from private.create_import_job(tests.get_supabase_uid('batch_owner'), 'a.csv', 100,
  repeat('a', 64), 'imports/' || tests.get_supabase_uid('batch_owner') || '/a.csv', 'upload', '{}', '{"on_duplicate": "update"}', false, 5, false);
select is((select existing from private.create_import_job(tests.get_supabase_uid('batch_owner'), 'a.csv', 100, repeat('a', 64),
  'imports/' || tests.get_supabase_uid('batch_owner') || '/b.csv', 'upload', '{}', '{}', false, 5, false)), true, 'the owner importing the same file again gets the earlier job');
select is((select job_id from private.create_import_job(tests.get_supabase_uid('batch_owner'), 'a.csv', 100, repeat('a', 64),
  'imports/' || tests.get_supabase_uid('batch_owner') || '/b.csv', 'upload', '{}', '{}', false, 5, false)), (select id from job_ids where name = 'main'), 'and it is the same job id');
select is((select existing from private.create_import_job(tests.get_supabase_uid('batch_owner'), 'a.csv', 100, repeat('a', 64),
  'imports/' || tests.get_supabase_uid('batch_owner') || '/c.csv', 'upload', '{}', '{}', true, 5, false)), false, 'a dry run of the same file is a new job');
select throws_ok($$ select * from private.create_import_job(tests.get_supabase_uid('batch_rival'), 'a.csv', 1, repeat('b', 64),
  'imports/' || tests.get_supabase_uid('batch_rival') || '/file.csv', 'upload', '{}', '{}', false, 1, false) $$, '42501', 'only the owner or the service can import contacts for this owner',
  'an owner cannot create an import job for another owner');

update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'main');
select is(private.import_contacts_batch((select id from job_ids where name = 'main'), $$[
  {"n": 2, "k": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
   "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "col": "email"},
                {"t": "phone", "v": "+442079460018", "nv": "+442079460018", "p": true, "col": "phone"}]},
  {"n": 3, "k": "grace@example.com", "first_name": "Grace", "last_name": "Hopper", "tags": ["vip"], "metadata": {"city": "NYC"},
   "channels": [{"t": "email", "v": "Grace@Example.com", "nv": "grace@example.com", "p": true, "col": "email", "c": "granted"}]}
]$$::json, $$[{"row_number": 4, "column_name": "email", "value_excerpt": "nope", "reason": "invalid_email: not valid", "outcome": "fail"}]$$::json,
  120, 5), '{"created": 1, "updated": 1, "skipped": 0, "failed": 1}'::jsonb,
  'a batch of three rows: Ada is updated, Grace is new, the row the function rejected failed');
select results_eq($$ select processed_rows, created_count, updated_count, skipped_count, failed_count, resume_offset, resume_line
  from public.contact_import_jobs where id = (select id from job_ids where name = 'main') $$,
  $$ values (3::bigint, 1::bigint, 1::bigint, 0::bigint, 1::bigint, 120::bigint, 5::bigint) $$,
  'the job''s counts and resume position move with the batch');
select is((select count(*)::int from public.contacts where user_id = tests.get_supabase_uid('batch_owner')), 2,
  'the owner now has two contacts: Ada and Grace');
select results_eq($$ select last_name from public.contacts where id = '50000000-0000-4000-8000-000000000001' $$,
  $$ values ('Lovelace'::text) $$, 'update overwrote Ada''s last name');
select results_eq($$ select previous, cardinality(added_channel_ids) from public.contact_import_changes
  where contact_id = '50000000-0000-4000-8000-000000000001' $$,
  $$ values ('{"last_name": "Old", "display_name": "Ada Old"}'::jsonb, 1) $$, 'the change log keeps the overwritten value and the added phone for undo');
select results_eq($$ select ch.consent_status from public.contact_communication_channels ch
  where ch.user_id = tests.get_supabase_uid('batch_owner') and ch.normalized_identifier = 'grace@example.com' $$,
  $$ values ('granted'::text) $$, 'the consent column was recorded on Grace''s e-mail');
select is(private.import_contacts_batch((select id from job_ids where name = 'main'), $$[
  {"n": 5, "k": "grace@example.com", "first_name": "Grace", "channels": [{"t": "email", "v": "grace@example.com", "nv": "grace@example.com", "p": true, "col": "email"}]},
  {"n": 6, "k": "alan@example.com", "first_name": "Alan",
   "channels": [{"t": "email", "v": "alan@example.com", "nv": "alan@example.com", "p": true, "col": "email"},
                {"t": "phone", "v": "+442079460018", "nv": "+442079460018", "p": true, "col": "phone"}]}
]$$::json, '[]'::json, 160, 7), '{"created": 0, "updated": 0, "skipped": 1, "failed": 1}'::jsonb,
  'a later batch: Grace again is a duplicate within the file, Alan brings a phone another contact holds');
select results_eq($$ select row_number, column_name, split_part(reason, ':', 1) from public.contact_import_job_errors
  where job_id = (select id from job_ids where name = 'main') order by row_number $$,
  $$ values (4::bigint, 'email'::text, 'invalid_email'::text), (5::bigint, null, 'duplicate_in_file'::text),
            (6::bigint, 'phone'::text, 'identifier_conflict'::text) $$,
  'the error report holds one line per rejected row, with its column and reason');
select is((select count(*)::int from public.contacts where first_name = 'Alan' and user_id = tests.get_supabase_uid('batch_owner')), 0,
  'Alan failed: a conflicting identifier creates nothing');

-- ============================================================================================
-- Persona: other owner (batch_rival) -- cannot run, read or undo the owner's job
-- ============================================================================================
select tests.authenticate_as('batch_rival');
select throws_ok($$ select private.import_contacts_batch((select id from job_ids where name = 'main'), '[]'::json, '[]'::json, 1, 1) $$,
  'P0002', 'import job not found', 'another owner cannot run a batch of the owner''s job');
select throws_ok($$ select private.undo_import_job((select id from job_ids where name = 'main')) $$,
  'P0002', 'import job not found', 'another owner cannot undo the owner''s job');
select is_empty($$ select 1 from public.contact_import_changes $$, 'another owner sees none of the owner''s change log');
select results_eq($$ select last_name from public.contacts where id = '50000000-0000-4000-8000-000000000002' $$,
  $$ values ('Ada'::text) $$, 'the rival''s contact with Grace''s e-mail was never matched nor touched');

-- ============================================================================================
-- Persona: agent of the owner -- refused
-- ============================================================================================
select tests.authenticate_as_agent('batch_owner', gen_random_uuid());
select throws_ok($$ select private.undo_import_job((select id from job_ids where name = 'main')) $$,
  'P0002', 'import job not found', 'an agent token cannot undo its owner''s import');

-- ============================================================================================
-- Persona: owner -- undo, dry run
-- ============================================================================================
select tests.authenticate_as('batch_owner');
select throws_ok($$ select private.undo_import_job((select id from job_ids where name = 'main')) $$,
  '55000', 'this import is still running: cancel it, or wait until it ends, then undo it', 'a running import cannot be undone');
-- The worker (the service) completes the job.
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids where name = 'main');
select tests.authenticate_as('batch_owner');
select is(private.undo_import_job((select id from job_ids where name = 'main')),
  '{"done": true, "kept": 0, "removed": 1, "restored": 1}'::jsonb, 'undo removes Grace and restores Ada');
select results_eq($$ select first_name, last_name from public.contacts where user_id = tests.get_supabase_uid('batch_owner') $$,
  $$ values ('Ada'::text, 'Old'::text) $$, 'only Ada is left, with her old last name');
select is((select count(*)::int from public.contact_communication_channels where contact_id = '50000000-0000-4000-8000-000000000001'), 1,
  'the phone the import added to Ada is gone');
select isnt((select undone_at from public.contact_import_jobs where id = (select id from job_ids where name = 'main')), null,
  'the job records when it was undone');
select throws_ok($$ select private.undo_import_job((select id from job_ids where name = 'main')) $$,
  '55000', 'this import was already undone', 'an import is undone once');

insert into job_ids select 'dry', job_id from private.create_import_job(tests.get_supabase_uid('batch_owner'), 'd.csv', 1,
  repeat('d', 64), 'imports/' || tests.get_supabase_uid('batch_owner') || '/d.csv', 'upload', '{}', '{"on_duplicate": "update"}', true, 3, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'dry');
select is(private.import_contacts_batch((select id from job_ids where name = 'dry'), $$[
  {"n": 2, "k": "new@example.com", "first_name": "New", "channels": [{"t": "email", "v": "new@example.com", "nv": "new@example.com", "p": true, "col": "email"}]},
  {"n": 3, "k": "ada@example.com", "first_name": "Ada", "last_name": "Dry", "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 10, 4), '{"created": 1, "updated": 1, "skipped": 0, "failed": 0}'::jsonb,
  'a dry-run batch counts one new and one updated contact');
select is(private.import_contacts_batch((select id from job_ids where name = 'dry'), $$[
  {"n": 4, "k": "new@example.com", "first_name": "New", "channels": [{"t": "email", "v": "new@example.com", "nv": "new@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 20, 5), '{"created": 0, "updated": 0, "skipped": 1, "failed": 0}'::jsonb,
  'a later dry-run batch repeating the new contact counts it as a duplicate within the file');
select results_eq($$ select count(*)::int, min(last_name) from public.contacts where user_id = tests.get_supabase_uid('batch_owner') $$,
  $$ values (1, 'Old'::text) $$, 'the dry run wrote no contact and changed none');
select results_eq($$ select dry_run_report -> 'changed' -> 0 -> 'changes' from public.contact_import_jobs where id = (select id from job_ids where name = 'dry') $$,
  $$ values ('{"last_name": {"to": "Dry", "from": "Old"}, "display_name": {"to": "Ada Dry", "from": "Ada Old"}}'::jsonb) $$, 'the dry-run report shows the change it would make, the display name made from the names with them');
select throws_ok($$ select private.undo_import_job((select id from job_ids where name = 'dry')) $$,
  '55000', 'a dry run changed no contacts: there is nothing to undo', 'a dry run cannot be undone');

-- ============================================================================================
-- Persona: service_role -- runs batches for any owner
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select existing from private.create_import_job(tests.get_supabase_uid('batch_rival'), 'r.csv', 1, repeat('e', 64),
  'imports/' || tests.get_supabase_uid('batch_rival') || '/r.csv', 'upload', '{}', '{}', false, 1, false)), false,
  'the service creates an import job for the owner it names');
select throws_ok($$ select * from private.create_import_job(tests.get_supabase_uid('batch_rival'), 'r.csv', 1, repeat('f', 64),
  'imports/' || tests.get_supabase_uid('batch_owner') || '/a.csv', 'upload', '{}', '{}', false, 1, false) $$,
  '42501', 'the file of an import must be in its owner''s folder of Storage (<bucket>/<owner id>/...)',
  'not even the service can import a file of another owner''s folder');

select * from finish();
rollback;
