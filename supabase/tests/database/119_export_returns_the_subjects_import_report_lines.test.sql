-- Subject access returns what the import reports hold about the subject (20251019000000): the
-- error lines whose value is one of the contact's identifiers, in any case or phone formatting, and
-- the dry-run entries that name the contact or hold one of its identifiers. Lines of other people
-- stay out: a namesake's, a longer address that contains the subject's, another owner's.
begin;
select plan(8);

select tests.create_supabase_user('report_exporter');
select tests.create_supabase_user('report_bystander');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('11900000-0000-4000-8000-000000000001', tests.get_supabase_uid('report_exporter'), 'Ysolde', 'Marchbank'),
  ('11900000-0000-4000-8000-000000000002', tests.get_supabase_uid('report_exporter'), 'Other', 'Person');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
  (tests.get_supabase_uid('report_exporter'), '11900000-0000-4000-8000-000000000001', 'email', 'Ysolde@Example.com', true),
  (tests.get_supabase_uid('report_exporter'), '11900000-0000-4000-8000-000000000001', 'phone', '+447700900119', true);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values
  ('upload', tests.create_import_job('report_exporter', 'upload')),
  ('preview', tests.create_import_job('report_exporter', 'preview', dry_run => true)),
  ('bystander', tests.create_import_job('report_bystander', 'bystander'));

insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select tests.get_supabase_uid('report_exporter'), (select id from job_ids where name = 'upload'), n, c, v, r
from (values
  (2, 'email', ' YSOLDE@example.com ', 'duplicate_in_file: same as row 1'),
  (3, 'mobile', '+44 (7700) 900-119', 'identifier_conflict: held by another contact'),
  (4, 'name', 'Ysolde Marchbank', 'too_long'),
  (5, 'email', 'not.ysolde@example.com', 'duplicate_in_file: same as row 1'),
  (6, 'email', 'nope', 'invalid_email')) as x (n, c, v, r);
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
values (tests.get_supabase_uid('report_bystander'), (select id from job_ids where name = 'bystander'), 2, 'email', 'ysolde@example.com', 'duplicate_in_file');

update public.contact_import_jobs set dry_run_report = '{
  "new": [{"row": 2, "display_name": "Y. M.", "identifiers": ["+447700900119"]},
          {"row": 3, "display_name": "Ysolde Marchbank", "identifiers": ["namesake@example.com"]}],
  "changed": [{"row": 4, "contact_id": "11900000-0000-4000-8000-000000000001", "changes": {"tags": {"from": [], "to": ["vip"]}}, "new_channels": []},
              {"row": 5, "contact_id": "11900000-0000-4000-8000-000000000002", "changes": {}, "new_channels": []}],
  "failing": [{"row": 6, "column": "email", "value": "ysolde@example.com", "reason": "identifier_conflict"},
              {"row": 7, "column": "email", "value": "nope", "reason": "invalid_email"}]}'
where id = (select id from job_ids where name = 'preview');

create temporary table exported (bundle json);
grant all on exported to authenticated;
-- Owner: exports the subject
select tests.authenticate_as('report_exporter');
insert into exported select public.export_subject_data(contact_id => '11900000-0000-4000-8000-000000000001');
reset role;

select results_eq(
  $$ select (l ->> 'row_number')::int, l ->> 'value_excerpt', l ->> 'file_name'
     from exported, json_array_elements(bundle -> 'subjects' -> 0 -> 'contact_import_job_errors') as l $$,
  $$ values (2, ' YSOLDE@example.com ', 'upload.csv'), (3, '+44 (7700) 900-119', 'upload.csv') $$,
  'the export returns the error lines holding the subject''s e-mail (any case) and number (any formatting), with their file');
select is((select count(*)::int from exported, json_array_elements(bundle -> 'subjects' -> 0 -> 'contact_import_job_errors') as l
           where l ->> 'value_excerpt' in ('Ysolde Marchbank', 'not.ysolde@example.com')), 0,
  'a namesake''s line and a longer address containing the subject''s are not the subject''s');
select is((select count(*)::int from exported, json_array_elements(bundle -> 'subjects' -> 0 -> 'contact_import_job_errors') as l
           where l ->> 'job_id' = (select id::text from job_ids where name = 'bystander')), 0,
  'another owner''s line with the same address is not in the export');
select results_eq(
  $$ select l ->> 'section', (l -> 'entry' ->> 'row')::int
     from exported, json_array_elements(bundle -> 'subjects' -> 0 -> 'contact_import_dry_run_entries') as l $$,
  $$ values ('changed', 4), ('failing', 6), ('new', 2) $$,
  'the export returns the dry-run entries naming the contact or holding its identifiers, and no other');
select ok((select bundle -> 'counts' ->> 'contact_import_job_errors' = '2' and bundle -> 'counts' ->> 'contact_import_dry_run_entries' = '3' from exported),
  'the counts of the export, recorded with the request, include both');
select ok((select r.counts @> '{"contact_import_job_errors": 2, "contact_import_dry_run_entries": 3}'
           from public.contact_subject_requests r where r.user_id = tests.get_supabase_uid('report_exporter') and r.request_type = 'export'),
  'the recorded request counts them too');

-- Owner: exports a contact without identifiers
select tests.authenticate_as('report_exporter');
select is(
  (select public.export_subject_data(contact_id => '11900000-0000-4000-8000-000000000002') -> 'subjects' -> 0 ->> 'contact_import_job_errors'),
  '[]', 'a contact without identifiers gets no error lines');
reset role;

-- Service: exports for the owner
select tests.authenticate_as_service_role();
select is(
  (select json_array_length(public.export_subject_data(contact_id => '11900000-0000-4000-8000-000000000001', owner_id => tests.get_supabase_uid('report_exporter')) -> 'subjects' -> 0 -> 'contact_import_job_errors')),
  2, 'the service gets the same lines for the owner''s contact');
reset role;

select * from finish();
rollback;
