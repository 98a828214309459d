-- Undo keeps a contact the import created once another contact was merged into it
-- (20251020000056): the owner's own Ada, with nothing the imported Ada lacks and no channel, is
-- merged into the imported one; undo must not take both away. A created contact nothing was merged
-- into is still removed, and so are two contacts of the same file merged into one.
begin;
select plan(8);

select tests.create_supabase_user('absorb_owner');
insert into public.contacts (id, user_id, first_name, last_name, job_title) values
  ('17500000-0000-4000-8000-000000000001', tests.get_supabase_uid('absorb_owner'), 'Ada', 'Lovelace', 'Countess');

-- Owner: imports Ada (with an e-mail) and Grace
select tests.authenticate_as('absorb_owner');
create temporary table job_ids (id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids select job_id from private.create_import_job(tests.get_supabase_uid('absorb_owner'), 'a.csv', 2,
  repeat('a', 64), 'imports/' || tests.get_supabase_uid('absorb_owner') || '/a.csv', 'upload', '{}',
  '{"on_duplicate": "update"}', false, 5, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids);
select is(private.import_contacts_batch((select id from job_ids), $$[
  {"n": 2, "k": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "organization": "Analytical Engines",
   "job_title": "Mathematician", "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "col": "email"}]},
  {"n": 3, "k": "grace@example.com", "first_name": "Grace", "last_name": "Hopper",
   "channels": [{"t": "email", "v": "grace@example.com", "nv": "grace@example.com", "p": true, "col": "email"}]},
  {"n": 4, "first_name": "Bo", "last_name": "One", "external_id": "bo-1", "xcol": "external_id", "channels": []},
  {"n": 5, "first_name": "Bo", "last_name": "One", "external_id": "bo-2", "xcol": "external_id", "channels": []}
]$$::json, '[]'::json, 100, 6), '{"created": 4, "updated": 0, "skipped": 0, "failed": 0}'::jsonb,
  'the import creates an Ada with an e-mail address, Grace, and Bo twice');

-- Service (the worker): completes the job
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids);

-- Owner: keeps the imported Ada, merges the hand-made one into it, then undoes the import
select tests.authenticate_as('absorb_owner');
create temporary table imported_ada on commit drop as
  select c.id from public.contacts c where c.first_name = 'Ada' and c.id <> '17500000-0000-4000-8000-000000000001';
select lives_ok(
  $$ select public.merge_contacts((select id from imported_ada), '17500000-0000-4000-8000-000000000001') $$,
  'the owner merges their own Ada into the imported one');
select is((select filled_fields from public.contact_merges m where m.survivor_id = (select id from imported_ada)), '{}'::text[],
  'the merge filled no field of the imported Ada');
select lives_ok(
  $$ select public.merge_contacts((select id from public.contacts where external_id = 'bo-1'),
                                 (select id from public.contacts where external_id = 'bo-2')) $$,
  'and merges one imported Bo into the other');
select is(private.undo_import_job((select id from job_ids)),
  '{"removed": 2, "restored": 0, "kept": 2, "done": true}'::jsonb,
  'undo removes Grace and the merged Bo, and keeps the Ada that absorbed the owner''s own');
select is((select count(*)::int from public.contacts where id = (select id from imported_ada)), 1,
  'the owner still has an Ada, as before the import');
select is((select count(*)::int from public.contacts where first_name = 'Grace'), 0,
  'a contact the import created that nothing was merged into is removed');
select is((select count(*)::int from public.contacts where first_name = 'Bo'), 0,
  'two contacts of the file merged into one leave nothing behind');
reset role;

select * from finish();
rollback;
