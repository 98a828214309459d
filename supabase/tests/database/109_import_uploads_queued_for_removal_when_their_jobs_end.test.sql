-- An upload is queued for removal from Storage in the transaction that ends or deletes its import job,
-- whoever does it: completed, cancelled (by its owner directly too), deleted by its owner, by a
-- retention policy or with the owner's account (20251017000000). A failed job keeps its file to be
-- resumed, and a file the owner referenced in Storage is never queued. contacts-retention takes the
-- queue through private.import_uploads_due, which skips a path a live job still names.
begin;
select plan(13);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;

select tests.create_supabase_user('uploading_owner');
select tests.create_supabase_user('leaving_owner');
insert into job_ids
select name, tests.create_import_job('uploading_owner', name)
from unnest(array['cancelled_by_owner', 'completed', 'failed', 'deleted_by_owner', 'expired']) name;
insert into job_ids values ('referenced', tests.create_import_job('uploading_owner', 'referenced', source => 'storage'));
insert into job_ids values ('leaving', tests.create_import_job('leaving_owner', 'leaving'));

create function pg_temp.upload(job_name text) returns text language sql as $$
  select storage_path from public.contact_import_jobs where id = (select id from job_ids where name = job_name)
$$;
-- Job names are unique across both owners; the queue outlives owners, so other tests' may be there.
create temporary table test_owners on commit drop as
select tests.get_supabase_uid(o) as id from unnest(array['uploading_owner', 'leaving_owner']) as o;
create function pg_temp.queued(job_name text) returns bigint language sql as $$
  select count(*) from private.import_uploads_to_remove q
  where q.storage_path like 'imports/%/' || job_name || '.csv' and q.user_id in (select id from test_owners)
$$;

-- Owner: cancels and deletes imports
select tests.authenticate_as('uploading_owner');
update public.contact_import_jobs set status = 'cancelled' where id = (select id from job_ids where name = 'cancelled_by_owner');
update public.contact_import_jobs set status = 'cancelled' where id = (select id from job_ids where name = 'referenced');
delete from public.contact_import_jobs where id = (select id from job_ids where name = 'deleted_by_owner');
reset role;
select is(pg_temp.queued('cancelled_by_owner'), 1::bigint, 'the owner cancelling an import (as PostgREST lets them) queues its upload');
select is(pg_temp.queued('deleted_by_owner'), 1::bigint, 'the owner deleting an import queues its upload');
select is(pg_temp.queued('referenced'), 0::bigint, 'a file the owner referenced in Storage is theirs: ending its job queues nothing');

-- Service (the worker): ends the other imports
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id in (select id from job_ids where name in ('completed', 'expired'));
update public.contact_import_jobs set status = 'failed', error_summary = 'stopped' where id = (select id from job_ids where name = 'failed');
reset role;
select is(pg_temp.queued('completed'), 1::bigint, 'completing an import queues its upload');
select is(pg_temp.queued('failed'), 0::bigint, 'a failed import keeps its upload, to be resumed');

-- Queued already at completion; its job then goes by a retention policy.
delete from private.import_uploads_to_remove where storage_path = pg_temp.upload('expired');
update public.contact_import_jobs set created_at = now() - interval '201 days', completed_at = now() - interval '200 days' where id = (select id from job_ids where name = 'expired');
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('uploading_owner'), 'delete', now() - interval '90 days',
  null, null, 10, false)), 1::bigint, 'retention deletes the old finished job');
select is(pg_temp.queued('expired'), 1::bigint, 'a job a retention policy deletes queues its upload');

delete from auth.users where id = tests.get_supabase_uid('leaving_owner');
select is(pg_temp.queued('leaving'), 1::bigint,
  'deleting an owner''s account queues their running import''s upload, and the queue keeps it after the owner is gone');

delete from public.contact_import_jobs where id = (select id from job_ids where name = 'completed');
select is(pg_temp.queued('completed'), 1::bigint, 'deleting a job whose upload is queued already leaves it queued once');

-- The owner names an old upload for a new import: the file stays while that import can read it.
insert into job_ids
select 'reused', j.job_id from private.create_import_job(tests.get_supabase_uid('uploading_owner'), 'reused.csv', 1, repeat('a', 64),
  (select q.storage_path from private.import_uploads_to_remove q where q.storage_path like '%/cancelled_by_owner.csv'), 'storage', '{}', '{}', false, 2, false) j;
select set_eq($$ select storage_path from private.import_uploads_due(tests.get_supabase_uid('uploading_owner'), 100) $$,
  $$ select q.storage_path from private.import_uploads_to_remove q
     where q.user_id = tests.get_supabase_uid('uploading_owner') and q.storage_path not like '%/cancelled_by_owner.csv' $$,
  'the owner''s queued uploads are due, except one a pending import names again');
select ok((select count(*) from private.import_uploads_due(null, 100000) d where d.storage_path like 'imports/%/leaving.csv'
    and d.storage_path in (select q.storage_path from private.import_uploads_to_remove q where q.user_id in (select id from test_owners))) = 1,
  'a run for every owner takes the uploads of owners that are gone too');

-- Owner: the queue is out of reach
select tests.authenticate_as('uploading_owner');
select throws_ok($$ select * from private.import_uploads_to_remove $$, '42501', null, 'an owner cannot read the queue');
select throws_ok($$ select * from private.import_uploads_due(null, 10) $$, '42501', null, 'an owner cannot take the queue');
reset role;

select * from finish();
rollback;
