-- Retention of import jobs leaves whole the jobs about a contact under legal hold
-- (20251020000024): neither deleted (which would cascade to the contact's change log) nor
-- anonymized (which would clear the error lines and dry-run entries about it), whether the job's
-- change log names the contact or its report lines quote one of its identifiers. Other old jobs go
-- as before, and once the hold is lifted, so do these.
begin;
select plan(9);

-- ============================================================================================
-- Setup (superuser): owner held_jobs_owner with contacts Held (held@example.com) and Free
-- (free@example.com); jobs finished 200 days ago: changed_held and changed_free (their change logs
-- name Held and Free), error_held (an error line quoting Held's address), preview_held and
-- preview_free (dry runs whose reports name Held, and quote Free's address).
-- ============================================================================================
select tests.create_supabase_user('held_jobs_owner');
insert into public.contacts (id, user_id, display_name) values
  ('14800000-0000-4000-8000-000000000001', tests.get_supabase_uid('held_jobs_owner'), 'Held'),
  ('14800000-0000-4000-8000-000000000002', tests.get_supabase_uid('held_jobs_owner'), 'Free');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('held_jobs_owner'), '14800000-0000-4000-8000-000000000001', 'email', 'held@example.com'),
  (tests.get_supabase_uid('held_jobs_owner'), '14800000-0000-4000-8000-000000000002', 'email', 'free@example.com');
create temporary table job_ids (name text primary key, id uuid);
grant select on job_ids to service_role;
insert into job_ids values
  ('changed_held', tests.create_import_job('held_jobs_owner', 'changed_held')),
  ('changed_free', tests.create_import_job('held_jobs_owner', 'changed_free')),
  ('error_held', tests.create_import_job('held_jobs_owner', 'error_held')),
  ('preview_held', tests.create_import_job('held_jobs_owner', 'preview_held', dry_run => true)),
  ('preview_free', tests.create_import_job('held_jobs_owner', 'preview_free', dry_run => true));
insert into public.contact_import_changes (job_id, contact_id, user_id, action, previous, contact_updated_at)
select j.id, c.id, c.user_id, 'updated', '{"organization": "Previous Employer"}', now() - interval '200 days'
from job_ids j
join public.contacts c on c.display_name = case j.name when 'changed_held' then 'Held' else 'Free' end
  and c.user_id = tests.get_supabase_uid('held_jobs_owner')
where j.name in ('changed_held', 'changed_free');
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select tests.get_supabase_uid('held_jobs_owner'), id, 2, 'email', ' Held@Example.com', 'already on another contact'
from job_ids where name = 'error_held';
update public.contact_import_jobs j
set status = 'completed', total_rows = 1, processed_rows = 1, updated_count = 1
where j.id in (select id from job_ids where name not like 'preview%');
update public.contact_import_jobs j
set status = 'failed', error_summary = 'stopped', processed_rows = 1, created_count = 1,
    dry_run_report = case x.name
      when 'preview_held' then '{"new": [], "changed": [{"row": 2, "contact_id": "14800000-0000-4000-8000-000000000001", "fields": ["organization"]}], "failing": []}'::jsonb
      else '{"new": [{"row": 2, "display_name": "Someone", "identifiers": ["free@example.com"]}], "changed": [], "failing": []}'::jsonb end
from job_ids x
where j.id = x.id and x.name like 'preview%';
update public.contact_import_jobs set created_at = now() - interval '201 days', completed_at = now() - interval '200 days'
where id in (select id from job_ids);

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('held_jobs_owner');
update public.contacts set legal_hold = true, legal_hold_reason = 'Litigation' where id = '14800000-0000-4000-8000-000000000001';
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('held_jobs_owner'), 'anonymize',
    now() - interval '90 days', null, null, 10, false)), 1::bigint,
  'the service''s anonymize batch anonymizes only the dry run about no held contact');
select results_eq(
  $$ select x.name, j.dry_run_report is not null, (select count(*) from public.contact_import_job_errors e where e.job_id = j.id)
     from public.contact_import_jobs j join job_ids x on x.id = j.id where x.name in ('error_held', 'preview_held', 'preview_free') order by x.name $$,
  $$ values ('error_held'::text, false, 1::bigint), ('preview_free', false, 0::bigint), ('preview_held', true, 0::bigint) $$,
  'the error line quoting the held contact''s address and the dry-run entry naming it are kept');
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('held_jobs_owner'), 'delete',
    now() - interval '90 days', null, null, 10, true)), 2::bigint,
  'a dry run of the service''s delete batch counts the two jobs about no held contact');
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('held_jobs_owner'), 'delete',
    now() - interval '90 days', null, null, 10, false)), 2::bigint,
  'the service''s delete batch deletes those two');
select results_eq(
  $$ select x.name from public.contact_import_jobs j join job_ids x on x.id = j.id order by x.name $$,
  $$ values ('changed_held'::text), ('error_held'), ('preview_held') $$,
  'the jobs whose change log, error lines or dry-run report are about the held contact are kept');
select results_eq(
  $$ select previous from public.contact_import_changes where contact_id = '14800000-0000-4000-8000-000000000001' $$,
  $$ values ('{"organization": "Previous Employer"}'::jsonb) $$,
  'the held contact''s change history is kept');
select is((select count(*) from public.contact_import_changes where contact_id = '14800000-0000-4000-8000-000000000002'), 0::bigint,
  'the other contact''s went with its job');
reset role;

-- Owner: the hold is lifted.
select tests.authenticate_as('held_jobs_owner');
update public.contacts set legal_hold = false, legal_hold_reason = null where id = '14800000-0000-4000-8000-000000000001';
reset role;

select tests.authenticate_as_service_role();
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('held_jobs_owner'), 'delete',
    now() - interval '90 days', null, null, 10, false)), 3::bigint,
  'once the hold is lifted, the service''s next delete batch deletes the three jobs');
select is((select count(*) from public.contact_import_jobs where user_id = tests.get_supabase_uid('held_jobs_owner')), 0::bigint,
  'and the owner has no old job left');
reset role;

select * from finish();
rollback;
