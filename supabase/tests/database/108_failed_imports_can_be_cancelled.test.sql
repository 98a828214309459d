-- A failed import can be given up for good (20251016000002): its owner cancels it, a failed dry run's
-- claims go with it, it keeps the time it failed as its end (20251016000003), and a cancelled job is
-- never resumed. Finished jobs still cannot be cancelled.
begin;
select plan(6);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;

select tests.create_supabase_user('giving_up_owner');
insert into job_ids
select name, tests.create_import_job('giving_up_owner', name, dry_run => name = 'failed_dry_run') from unnest(array['failed_dry_run', 'completed']) name;

insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number)
select j.id, tests.get_supabase_uid('giving_up_owner'), 'email', 'claimed@example.com', 2 from job_ids j where j.name = 'failed_dry_run';
update public.contact_import_jobs set status = 'failed', error_summary = 'stopped' where id = (select j.id from job_ids j where j.name = 'failed_dry_run');
-- When it failed, as retention will read it.
update public.contact_import_jobs set completed_at = '2026-01-01T00:00:00Z' where id = (select j.id from job_ids j where j.name = 'failed_dry_run');
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select j.id from job_ids j where j.name = 'completed');

select tests.authenticate_as('giving_up_owner');
select lives_ok($$ update public.contact_import_jobs set status = 'cancelled' where id = (select id from job_ids where name = 'failed_dry_run') $$,
  'the owner cancels a failed import');
select is((select status from public.contact_import_jobs where id = (select id from job_ids where name = 'failed_dry_run')), 'cancelled',
  'the failed import is cancelled');
select is((select completed_at from public.contact_import_jobs where id = (select id from job_ids where name = 'failed_dry_run')),
  '2026-01-01T00:00:00Z'::timestamptz, 'the cancelled import still ended when it failed: retention counts from then');
select throws_ok($$ update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'failed_dry_run') $$,
  '23514', 'an import job cannot go from cancelled to processing', 'a cancelled import is never resumed');
select throws_ok($$ update public.contact_import_jobs set status = 'cancelled' where id = (select id from job_ids where name = 'completed') $$,
  '23514', 'an import job cannot go from completed to cancelled', 'a completed import cannot be cancelled');
reset role;

select is((select count(*) from private.contact_import_dry_run_claims where job_id = (select id from job_ids where name = 'failed_dry_run')),
  0::bigint, 'cancelling a failed dry run removes the claims it kept for resuming');

select * from finish();
rollback;
