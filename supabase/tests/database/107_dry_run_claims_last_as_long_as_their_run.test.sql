-- A dry run's claims (the identifiers its earlier rows would have taken) go when the run completes
-- or is cancelled, in that same transaction and whoever ends it; a failed run keeps them to be
-- resumed (20251016000001). The table is logged, so a crash cannot empty it under a running dry run.
begin;
select plan(6);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;

select tests.create_supabase_user('dry_run_owner');
insert into job_ids
select name, tests.create_import_job('dry_run_owner', name, dry_run => true) from unnest(array['cancelled', 'completed', 'failed', 'other']) name;
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number)
select j.id, tests.get_supabase_uid('dry_run_owner'), c.kind, c.value, 2
from job_ids j, lateral (values ('email', j.name || '@example.com'), ('external_id', j.name)) c (kind, value);

create function pg_temp.claims(job_name text) returns bigint language sql as $$
  select count(*) from private.contact_import_dry_run_claims where job_id = (select id from job_ids where name = job_name)
$$;

-- Owner: cancels a dry run
select tests.authenticate_as('dry_run_owner');
update public.contact_import_jobs set status = 'cancelled' where id = (select id from job_ids where name = 'cancelled');
reset role;
select is(pg_temp.claims('cancelled'), 0::bigint, 'the owner cancelling a dry run removes its claims');

-- Service (the worker): ends the other dry runs
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids where name = 'completed');
update public.contact_import_jobs set status = 'failed', error_summary = 'stopped' where id = (select id from job_ids where name = 'failed');
reset role;
select is(pg_temp.claims('completed'), 0::bigint, 'completing a dry run removes its claims');
select is(pg_temp.claims('failed'), 2::bigint, 'a failed dry run keeps its claims, to be resumed');
select is(pg_temp.claims('other'), 2::bigint, 'a running dry run keeps its claims');

update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'failed');
select is(pg_temp.claims('failed'), 2::bigint, 'resuming a failed dry run finds its claims');

select is((select relpersistence from pg_class where oid = 'private.contact_import_dry_run_claims'::regclass), 'p'::"char",
  'the claims are logged, so a crash does not empty them under a running dry run');

select * from finish();
rollback;
