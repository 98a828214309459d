-- A failed import keeps its upload to be resumed; once its undo begins it can never be resumed,
-- and the upload is queued for removal in the same transaction, so that contacts-retention removes
-- it even when import-contacts could not (20251020000097). A file the owner referenced in Storage
-- is never queued, and a failed job not undone keeps its file.
begin;
select plan(6);

-- ============================================================================================
-- Setup (superuser): owner undoing_owner with failed jobs: undone_upload, half_undone_upload and
-- kept_upload (uploads), undone_reference (a file the owner referenced in Storage).
-- ============================================================================================
select tests.create_supabase_user('undoing_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant select on job_ids to authenticated;
insert into job_ids
select name, tests.create_import_job('undoing_owner', name) from unnest(array['undone_upload', 'half_undone_upload', 'kept_upload']) name;
insert into job_ids values ('undone_reference', tests.create_import_job('undoing_owner', 'undone_reference', source => 'storage'));
update public.contact_import_jobs set status = 'failed', error_summary = 'stopped' where id in (select id from job_ids);

create function pg_temp.queued(job_name text) returns bigint language sql as $$
  select count(*) from private.import_uploads_to_remove q
  where q.storage_path = 'imports/' || tests.get_supabase_uid('undoing_owner') || '/' || job_name || '.csv'
$$;
create function pg_temp.due(job_name text) returns boolean language sql as $$
  select exists (select 1 from private.import_uploads_due(tests.get_supabase_uid('undoing_owner'), 100) d
    where d.storage_path = 'imports/' || tests.get_supabase_uid('undoing_owner') || '/' || job_name || '.csv')
$$;

-- ============================================================================================
-- Owner: undoes two imports (as import-contacts does, on the owner's connection)
-- ============================================================================================
select tests.authenticate_as('undoing_owner');
select private.undo_import_job((select id from job_ids where name = 'undone_upload'));
select private.undo_import_job((select id from job_ids where name = 'undone_reference'));
reset role;
-- An undo whose first step committed and whose next never ran.
update public.contact_import_jobs set undo_summary = '{"removed": 5000, "restored": 0, "kept": 0}'
where id = (select id from job_ids where name = 'half_undone_upload');

select is(pg_temp.queued('undone_upload'), 1::bigint, 'the owner undoing a failed import queues its upload');
select is(pg_temp.queued('half_undone_upload'), 1::bigint, 'an undo that began and stopped between its steps has queued the upload');
select is(pg_temp.queued('undone_reference'), 0::bigint, 'a file the owner referenced in Storage is theirs: undoing its job queues nothing');
select is(pg_temp.queued('kept_upload'), 0::bigint, 'a failed import not undone keeps its upload, to be resumed');
select ok(pg_temp.due('undone_upload') and pg_temp.due('half_undone_upload'),
  'contacts-retention may remove the uploads of imports whose undo began, though their jobs stay failed');

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select count(*) from private.import_uploads_due(tests.get_supabase_uid('undoing_owner'), 100)), 2::bigint,
  'the service sweeping the queue finds exactly those two uploads due');

select * from finish();
rollback;
