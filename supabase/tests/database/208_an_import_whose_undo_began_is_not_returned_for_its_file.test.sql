-- Importing a file again returns the owner's earlier job for it unless that job is a dry run, was
-- cancelled or undone; a job whose undo began and stopped between its steps (undo_summary written,
-- undone_at not yet) can never be resumed either, and is no longer returned (20251020000096).
begin;
select plan(5);

-- ============================================================================================
-- Setup (superuser): owner reusing_owner with four failed jobs, each of its own file:
-- half_undone (its undo's first step done), undone (its undo done), plain (never undone), and
-- cancelled_half (cancelled).
-- ============================================================================================
select tests.create_supabase_user('reusing_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant select on job_ids to authenticated;
insert into job_ids
select name, tests.create_import_job('reusing_owner', name) from unnest(array['half_undone', 'undone', 'plain']) name;
update public.contact_import_jobs set status = 'failed', error_summary = 'stopped' where id in (select id from job_ids);
update public.contact_import_jobs set undo_summary = '{"removed": 5000, "restored": 0, "kept": 0}'
where id = (select id from job_ids where name = 'half_undone');
update public.contact_import_jobs set undo_summary = '{"removed": 2, "restored": 0, "kept": 0}', undone_at = now()
where id = (select id from job_ids where name = 'undone');

-- The intake of the same file again, as import-contacts calls it for the owner.
create function pg_temp.import_again(job_name text) returns table (job_id uuid, existing boolean) language sql as $$
  select * from private.create_import_job(tests.get_supabase_uid('reusing_owner'), job_name || '.csv', 1, md5(job_name) || md5(job_name),
    'imports/' || tests.get_supabase_uid('reusing_owner') || '/' || job_name || '-again.csv', 'upload', '{}', '{}', false, 2, false)
$$;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('reusing_owner');
select is((select existing from pg_temp.import_again('plain')), true,
  'the owner importing a file again gets its earlier failed job back');
select is((select job_id from pg_temp.import_again('plain')), (select id from job_ids where name = 'plain'),
  'the owner gets that very job, to resume');
select is((select existing from pg_temp.import_again('half_undone')), false,
  'the owner importing the file of a job whose undo began and stopped gets a new job, not the half-undone one');
select is((select count(*) from public.contact_import_jobs j where j.user_id = tests.get_supabase_uid('reusing_owner')
    and j.file_sha256 = md5('half_undone') || md5('half_undone') and j.status = 'pending'), 1::bigint,
  'the owner''s new job for that file is pending, ready to import it whole');
select is((select existing from pg_temp.import_again('undone')), false,
  'the owner importing the file of an undone job gets a new job, as before');

select * from finish();
rollback;
