-- Under dedupe_key external_id a row with only an external id updates the contact that holds it;
-- one whose id reaches no contact has nothing to name a new contact by. A real run left that row to
-- the database's refusal, which failed the whole batch call (import-contacts then split the batch
-- down to the row, a transaction per halving). It now fails in the plan with missing_name, as in a
-- dry run, and the rows around it are written (20251020000106).
begin;
select plan(4);

-- ============================================================================================
-- Setup (superuser): owner nameless_owner with the contact Ada (external id C-1) and a job keyed
-- by external id under update.
-- ============================================================================================
select tests.create_supabase_user('nameless_owner');
insert into public.contacts (id, user_id, display_name, external_id)
values ('21400000-0000-4000-8000-000000000001', tests.get_supabase_uid('nameless_owner'), 'Ada', 'C-1');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values ('by_id', tests.create_import_job('nameless_owner', 'by_id'));
update public.contact_import_jobs set options = '{"dedupe_key": "external_id", "on_duplicate": "update"}', total_rows = 10
where id = (select id from job_ids where name = 'by_id');

-- ============================================================================================
-- service_role (the import's worker)
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids where name = 'by_id'), $$[
  {"n": 2, "k": "C-1", "external_id": "C-1", "xcol": "External ID", "metadata": {"tier": "gold"}, "channels": []},
  {"n": 3, "k": "C-9", "external_id": "C-9", "xcol": "External ID", "channels": []},
  {"n": 4, "k": "C-2", "external_id": "C-2", "xcol": "External ID", "first_name": "Grace", "channels": []}
]$$::json, '[]'::json, 100, 5),
  '{"created": 1, "updated": 1, "skipped": 0, "failed": 1}'::jsonb,
  'a batch with a nameless row whose id reaches no contact is written whole: Ada updated, Grace created, that row failed');
select results_eq(
  $$ select row_number, column_name, split_part(reason, ':', 1) from public.contact_import_job_errors
     where job_id = (select id from job_ids where name = 'by_id') $$,
  $$ values (3::bigint, null::text, 'missing_name'::text) $$,
  'the error report gives that row the reason a dry run gives it, missing_name');
select results_eq(
  $$ select external_id, display_name, metadata from public.contacts where user_id = tests.get_supabase_uid('nameless_owner') order by 1 $$,
  $$ values ('C-1'::text, 'Ada'::text, '{"tier": "gold"}'::jsonb), ('C-2', 'Grace', '{}') $$,
  'Ada has the row''s custom field, Grace is new, and no contact was made for C-9');
select results_eq(
  $$ select processed_rows, created_count, updated_count, failed_count from public.contact_import_jobs
     where id = (select id from job_ids where name = 'by_id') $$,
  $$ values (3::bigint, 1::bigint, 1::bigint, 1::bigint) $$, 'the job counts every row once');

select * from finish();
rollback;
