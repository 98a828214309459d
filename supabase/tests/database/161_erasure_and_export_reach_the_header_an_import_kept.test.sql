-- An import of a file without its header line fails and keeps the first data row as the job's
-- header (20251020000039). The export hands the subject the headers that hold one of their
-- identifiers; erasure removes those and the headers that name them across cells, and leaves
-- column names and other owners' jobs alone; agent tokens and strangers read no header.
begin;
select plan(12);

-- ============================================================================================
-- Setup (superuser): header161_owner imported a file whose header line was forgotten, and a file
-- whose first row names Zenobia with an old address; then a proper file. A stranger imported the
-- same headerless file. Zenobia is then a contact of the owner.
-- ============================================================================================
select tests.create_supabase_user('header161_owner');
select tests.create_supabase_user('header161_stranger');
insert into public.agents (id, user_id, name) values ('a1610000-0000-4000-8000-000000000001', tests.get_supabase_uid('header161_owner'), 'helper');
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('headerless', tests.create_import_job('header161_owner', 'headerless')),
  ('old_row', tests.create_import_job('header161_owner', 'old_row')),
  ('proper', tests.create_import_job('header161_owner', 'proper')),
  ('stranger', tests.create_import_job('header161_stranger', 'stranger'));
update public.contact_import_jobs j set status = 'failed', error_summary = 'missing_required_column: no column holds the dedupe key (email)',
  header = case when j.id = (select id from job_ids where name = 'old_row') then '["Zenobia", "Quillfeather", "zq.old@home.example"]'::jsonb
                else '["Zenobia", "Quillfeather", "zenobia.quillfeather@example.com", "+44 7700 900123"]'::jsonb end
where j.id in (select id from job_ids where name <> 'proper');
update public.contact_import_jobs set header = '["first_name", "last_name", "email", "phone"]', total_rows = 0, status = 'completed', completed_at = now()
where id = (select id from job_ids where name = 'proper');
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, reason)
select j.user_id, j.id, 1, null, j.error_summary from public.contact_import_jobs j where j.status = 'failed' and j.id in (select id from job_ids);
insert into public.contacts (id, user_id, first_name, last_name) values
  ('16100000-0000-4000-8000-000000000001', tests.get_supabase_uid('header161_owner'), 'Zenobia', 'Quillfeather');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('header161_owner'), '16100000-0000-4000-8000-000000000001', 'email', 'zenobia.quillfeather@example.com'),
  (tests.get_supabase_uid('header161_owner'), '16100000-0000-4000-8000-000000000001', 'phone', '+447700900123');

-- ============================================================================================
-- Agent tokens and strangers: no header through the export's helper
-- ============================================================================================
select tests.authenticate_as_agent('header161_owner', 'a1610000-0000-4000-8000-000000000001');
select is((select n from private.contact_import_headers('16100000-0000-4000-8000-000000000001', tests.get_supabase_uid('header161_owner'))), 0::bigint,
  'an agent token reads no header of its owner''s import jobs');
select tests.authenticate_as('header161_stranger');
select is((select n from private.contact_import_headers('16100000-0000-4000-8000-000000000001', tests.get_supabase_uid('header161_owner'))), 0::bigint,
  'another owner reads no header of the owner''s import jobs');

-- ============================================================================================
-- Owner: exports Zenobia by her number, then erases her by her address
-- ============================================================================================
select tests.authenticate_as('header161_owner');
create temporary table answers (label text primary key, answer jsonb);
insert into answers values ('export', public.export_subject_data(identifier => '+44 7700 900123')::jsonb);
select results_eq(
  $$ select e ->> 'job_id', e ->> 'file_name', e ->> 'status', e -> 'header'
     from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'contact_import_headers') as e where label = 'export' $$,
  $$ values ((select id::text from job_ids where name = 'headerless'), 'headerless.csv', 'failed',
             '["Zenobia", "Quillfeather", "zenobia.quillfeather@example.com", "+44 7700 900123"]'::jsonb) $$,
  'the export hands Zenobia the header of the failed job that holds her row, and no other job''s');
select is((select answer -> 'counts' ->> 'contact_import_headers' from answers where label = 'export'), '1',
  'the export counts that header');
insert into answers values ('erase', public.gdpr_delete_subject(identifier => 'zenobia.quillfeather@example.com'));
select is((select answer -> 'counts' ->> 'contact_import_headers' from answers where label = 'erase'), '2',
  'the erasure removes two headers: the row with her address, and the row naming her with an old one');
reset role;

-- ============================================================================================
-- Superuser: what is left
-- ============================================================================================
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'headerless')), null,
  'the failed job keeps no header with Zenobia''s row');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'old_row')), null,
  'the job whose first row names her across two cells keeps no header either');
select is((select status || ' ' || file_name from public.contact_import_jobs where id = (select id from job_ids where name = 'headerless')),
  'cancelled headerless.csv', 'the failed job itself stays, with its file name, given up (20251020000072): its upload holds her row');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'proper')),
  '["first_name", "last_name", "email", "phone"]'::jsonb, 'a header of column names stays');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'stranger')),
  '["Zenobia", "Quillfeather", "zenobia.quillfeather@example.com", "+44 7700 900123"]'::jsonb,
  'another owner''s job is not touched by this owner''s erasure');
select is_empty($$ select 1 from public.contact_import_jobs j where j.user_id = tests.get_supabase_uid('header161_owner')
                   and (j.header::text ilike '%quillfeather%' or j.header::text like '%900123%') $$,
  'no import job of the owner holds Zenobia''s name, address or number in its header');
select is((select count(*)::int from public.contact_import_job_errors where user_id = tests.get_supabase_uid('header161_owner')), 2,
  'the failed jobs'' report lines, which hold no value, stay');

select * from finish();
rollback;
