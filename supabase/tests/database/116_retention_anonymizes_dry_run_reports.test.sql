-- Retention's anonymize of import jobs clears a finished dry run's report (samples of the file's
-- names, identifiers and cell values) and removes its claims on the file's identifiers, as it
-- clears error rows and summaries (20251018000005); the job and its counts stay. A recent job,
-- and any job under a dry run of the policy, are left as they are.
begin;
select plan(6);

select tests.create_supabase_user('retained_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values
  ('old_preview', tests.create_import_job('retained_owner', 'old_preview', dry_run => true)),
  ('new_preview', tests.create_import_job('retained_owner', 'new_preview', dry_run => true));
update public.contact_import_jobs
set status = 'failed', error_summary = 'stopped', processed_rows = 1, created_count = 1,
    dry_run_report = '{"new": [{"row": 2, "display_name": "Ada Lovelace", "identifiers": ["ada@example.com"]}], "changed": [], "failing": []}'
where id in (select id from job_ids);
update public.contact_import_jobs set created_at = now() - interval '201 days', completed_at = now() - interval '200 days'
where id = (select id from job_ids where name = 'old_preview');
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number, contact_id)
select id, tests.get_supabase_uid('retained_owner'), 'email', 'ada@example.com', 2, null from job_ids;

select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('retained_owner'), 'anonymize',
    now() - interval '90 days', null, null, 10, true)), 1::bigint, 'a dry run of the policy counts the old dry run''s report as due');
select isnt((select dry_run_report from public.contact_import_jobs where id = (select id from job_ids where name = 'old_preview')), null,
  'and changes nothing');

select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('retained_owner'), 'anonymize',
    now() - interval '90 days', null, null, 10, false)), 1::bigint, 'the policy anonymizes the old dry run');
select results_eq($$ select dry_run_report, error_summary, created_count from public.contact_import_jobs
    where id = (select id from job_ids where name = 'old_preview') $$,
  $$ values (null::jsonb, null::text, 1::bigint) $$, 'its report and summary are gone; the job and its counts stay');
select results_eq($$ select j.name from private.contact_import_dry_run_claims d join job_ids j on j.id = d.job_id $$,
  $$ values ('new_preview') $$, 'its claims on the file''s identifiers are gone; a recent dry run keeps its own');
select isnt((select dry_run_report from public.contact_import_jobs where id = (select id from job_ids where name = 'new_preview')), null,
  'a recent dry run keeps its report');

select * from finish();
rollback;
