-- Undo after a merge keeps what the merge made of the import's contacts (20251020000012): the import
-- updated Ada and created a nameless duplicate of her, the owner merged the duplicate into Ada, and
-- undo restores Ada's overwritten organization and keeps her, with her channel, rather than taking
-- the moved "created" entry for hers. Two contacts the import updated and the owner merged: the
-- duplicate's old fields are not restored onto the survivor.
begin;
select plan(8);

select tests.create_supabase_user('merge_undo_owner');
insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('13700000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_undo_owner'), 'Ada', 'Lovelace', 'Old Org'),
  ('13700000-0000-4000-8000-000000000002', tests.get_supabase_uid('merge_undo_owner'), 'Bo', 'Survivor', 'Bo Org'),
  ('13700000-0000-4000-8000-000000000003', tests.get_supabase_uid('merge_undo_owner'), 'Bo', 'Duplicate', 'Dup Org');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('merge_undo_owner'), '13700000-0000-4000-8000-000000000001', 'email', 'ada@example.com'),
  (tests.get_supabase_uid('merge_undo_owner'), '13700000-0000-4000-8000-000000000002', 'email', 'bo@example.com'),
  (tests.get_supabase_uid('merge_undo_owner'), '13700000-0000-4000-8000-000000000003', 'email', 'bo.dup@example.com');

-- Owner: imports over Ada and both Bos
select tests.authenticate_as('merge_undo_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids select 'main', job_id from private.create_import_job(tests.get_supabase_uid('merge_undo_owner'), 'm.csv', 1,
  repeat('c', 64), 'imports/' || tests.get_supabase_uid('merge_undo_owner') || '/m.csv', 'upload', '{}',
  '{"on_duplicate": "update"}', false, 5, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'main');
select is(private.import_contacts_batch((select id from job_ids where name = 'main'), $$[
  {"n": 2, "k": "ada@example.com", "first_name": "Ada", "organization": "New Org", "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "col": "email"}]},
  {"n": 3, "first_name": "Ada", "last_name": "Lovelace", "channels": []},
  {"n": 4, "k": "bo@example.com", "first_name": "Bo", "organization": "Bo Org 2", "channels": [{"t": "email", "v": "bo@example.com", "nv": "bo@example.com", "p": true, "col": "email"}]},
  {"n": 5, "k": "bo.dup@example.com", "first_name": "Bo", "organization": "Dup Org 2", "channels": [{"t": "email", "v": "bo.dup@example.com", "nv": "bo.dup@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 100, 6), '{"created": 1, "updated": 3, "skipped": 0, "failed": 0}'::jsonb,
  'the import updates Ada and both Bos, and creates a nameless duplicate of Ada');
-- Service (the worker): completes the job
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids where name = 'main');

-- Owner: merges the duplicates, then undoes the import
select tests.authenticate_as('merge_undo_owner');
select lives_ok($$ select public.merge_contacts('13700000-0000-4000-8000-000000000001',
    (select ic.contact_id from public.contact_import_changes ic where ic.action = 'created')) $$,
  'the owner merges the nameless duplicate into Ada');
select lives_ok($$ select public.merge_contacts('13700000-0000-4000-8000-000000000002', '13700000-0000-4000-8000-000000000003') $$,
  'and one Bo into the other');
select is(private.undo_import_job((select id from job_ids where name = 'main')),
  '{"removed": 0, "restored": 2, "kept": 2, "done": true}'::jsonb,
  'undo restores Ada and the surviving Bo, and keeps what the merges moved onto them');
select is((select organization from public.contacts where id = '13700000-0000-4000-8000-000000000001'), 'Old Org',
  'Ada, who existed before the import, is still there, her organization restored');
select is((select count(*)::int from public.contact_communication_channels where contact_id = '13700000-0000-4000-8000-000000000001'), 1,
  'with her channel');
select is((select organization from public.contacts where id = '13700000-0000-4000-8000-000000000002'), 'Bo Org',
  'the surviving Bo gets back his own organization, not the duplicate''s');
select is((select count(*)::int from public.contacts), 2, 'no contact was removed');
reset role;

select * from finish();
rollback;
