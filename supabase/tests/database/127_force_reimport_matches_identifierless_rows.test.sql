-- A row with no identifier at all matches the contact an earlier import of the same file made from
-- the same row (20251020000000, 20251020000001): a re-import with force updates it (or skips it
-- under skip) instead of making it again. Another file, another owner's import of the same file, or
-- a contact deleted or anonymized since match nothing.
begin;
select plan(11);

select tests.create_supabase_user('nameless_importer');
select tests.create_supabase_user('nameless_stranger');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('first', tests.create_import_job('nameless_importer', 'first')),
  ('again', tests.create_import_job('nameless_importer', 'again')),
  ('skip', tests.create_import_job('nameless_importer', 'skip')),
  ('preview', tests.create_import_job('nameless_importer', 'preview', dry_run => true)),
  ('other_file', tests.create_import_job('nameless_importer', 'other_file')),
  ('stranger', tests.create_import_job('nameless_stranger', 'stranger')),
  ('after_delete', tests.create_import_job('nameless_importer', 'after_delete')),
  ('after_anonymize', tests.create_import_job('nameless_importer', 'after_anonymize'));
-- All but other_file are imports of one file.
update public.contact_import_jobs set file_sha256 = (select file_sha256 from public.contact_import_jobs where id = (select id from job_ids where name = 'first'))
where id in (select id from job_ids where name not in ('first', 'other_file'));
update public.contact_import_jobs set options = '{"on_duplicate": "update", "force": true}'
where id in (select id from job_ids where name not in ('skip'));

create temporary table rows_in (name text primary key, batch json);
grant all on rows_in to service_role;
insert into rows_in values
  ('file', '[{"n": 2, "first_name": "Ada", "organization": "Analytical", "channels": []},
             {"n": 3, "k": "bob@example.com", "first_name": "Bob",
              "channels": [{"t": "email", "v": "bob@example.com", "nv": "bob@example.com", "p": true, "c": null, "col": "email"}]}]'),
  ('file_edited', '[{"n": 2, "first_name": "Ada", "organization": "Analytical", "job_title": "Countess", "channels": []},
             {"n": 3, "k": "bob@example.com", "first_name": "Bob",
              "channels": [{"t": "email", "v": "bob@example.com", "nv": "bob@example.com", "p": true, "c": null, "col": "email"}]}]');

create function pg_temp.import(job text, rows_name text) returns jsonb language sql as $$
  select private.import_contacts_batch((select id from job_ids where name = job), (select batch from rows_in where name = rows_name), '[]'::json, 100, 4)
$$;

-- Service (the worker): imports the file
select tests.authenticate_as_service_role();
select pg_temp.import('first', 'file');
reset role;
select results_eq($$ select c.first_name, ic.row_number from public.contact_import_changes ic join public.contacts c on c.id = ic.contact_id
    where ic.job_id = (select id from job_ids where name = 'first') order by 1 $$,
  $$ values ('Ada', 2::bigint), ('Bob', null) $$,
  'the change log keeps the row number of a contact made from a row without identifiers, and only of it');

-- Service: dry-runs, then re-imports with force, the edited file
select tests.authenticate_as_service_role();
select is(pg_temp.import('preview', 'file_edited'), '{"created": 0, "updated": 2, "skipped": 0, "failed": 0}'::jsonb,
  'a dry run of the same file foresees the identifier-less row as an update');
select is(pg_temp.import('again', 'file_edited'), '{"created": 0, "updated": 2, "skipped": 0, "failed": 0}'::jsonb,
  'a re-import of the same file with force updates the contact made from the identifier-less row');
reset role;
select results_eq($$ select first_name, job_title from public.contacts where user_id = tests.get_supabase_uid('nameless_importer') order by 1 $$,
  $$ values ('Ada', 'Countess'), ('Bob', null) $$,
  'no second Ada: the same contact takes the row''s new job title');

-- Service: re-imports under skip
select tests.authenticate_as_service_role();
select pg_temp.import('skip', 'file');
reset role;
select results_eq($$ select row_number, reason from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'skip') order by 1 $$,
  $$ values (2::bigint, 'duplicate: an earlier import of this file made a contact of this row'),
            (3::bigint, 'duplicate: a contact with this email already exists') $$,
  'under skip the row is a duplicate that names why');

-- Service: imports another file and another owner's copy
select tests.authenticate_as_service_role();
select is(pg_temp.import('other_file', 'file') ->> 'created', '1',
  'the same row of another file is a new contact: row numbers name rows of one file only');
select is(pg_temp.import('stranger', 'file') ->> 'created', '2', 'another owner''s import of the same file matches none of this owner''s contacts');
reset role;
select is((select count(*) from public.contacts where user_id = tests.get_supabase_uid('nameless_importer') and first_name = 'Ada'), 2::bigint,
  'this owner has the Ada of each file, and the stranger''s import left them alone');

delete from public.contacts where id = (select contact_id from public.contact_import_changes
  where job_id = (select id from job_ids where name = 'first') and row_number = 2);
-- Service: re-imports after the contact is deleted
select tests.authenticate_as_service_role();
select is(pg_temp.import('after_delete', 'file') ->> 'created', '1', 'once that contact is deleted, the row makes a contact again');
reset role;

-- Owner: anonymizes the contact made from the row
select tests.authenticate_as('nameless_importer');
select public.gdpr_delete_subject(contact_id => (select contact_id from public.contact_import_changes
  where job_id = (select id from job_ids where name = 'after_delete') and row_number = 2), mode => 'anonymize');
reset role;
-- Service: re-imports after the anonymization
select tests.authenticate_as_service_role();
select is(pg_temp.import('after_anonymize', 'file') ->> 'created', '1', 'an anonymized contact is no one''s: the row makes a new contact');
reset role;
select is((select count(*) from public.contacts c join public.contact_import_changes ic on ic.contact_id = c.id
    where ic.job_id = (select id from job_ids where name = 'after_delete') and c.first_name is null and c.status = 'anonymized'), 1::bigint,
  'and the anonymized contact keeps no name');

select * from finish();
rollback;
