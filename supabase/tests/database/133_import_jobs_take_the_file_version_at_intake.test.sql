-- An import job takes the version of its file from the intake that hashed and counted it
-- (20251020000008), so that its first slice already tells a file replaced since; a caller that
-- names none leaves it to the first slice, as before.
begin;
select plan(3);

select tests.create_supabase_user('file_version_owner');
create temporary table created_jobs (name text, job_id uuid) on commit drop;
grant select, insert on created_jobs to authenticated;

select tests.authenticate_as('file_version_owner');
insert into created_jobs
select 'versioned', c.job_id from private.create_import_job(tests.get_supabase_uid('file_version_owner'), 'versioned.csv', 10, repeat('a', 64),
  'imports/' || tests.get_supabase_uid('file_version_owner') || '/versioned.csv', 'storage', '{}', '{}', false, 1, false, '"etag-133"') as c;
insert into created_jobs
select 'unversioned', c.job_id from private.create_import_job(tests.get_supabase_uid('file_version_owner'), 'unversioned.csv', 10, repeat('b', 64),
  'imports/' || tests.get_supabase_uid('file_version_owner') || '/unversioned.csv', 'storage', '{}', '{}', false, 1, false) as c;
insert into created_jobs
select 'again', c.job_id from private.create_import_job(tests.get_supabase_uid('file_version_owner'), 'again.csv', 10, repeat('a', 64),
  'imports/' || tests.get_supabase_uid('file_version_owner') || '/again.csv', 'storage', '{}', '{}', false, 1, false, '"etag-other"') as c;

select is((select j.file_version from created_jobs c join public.contact_import_jobs j on j.id = c.job_id where c.name = 'versioned'),
  '"etag-133"',
  'the owner''s new job holds the version its intake gave');
select is((select j.file_version from created_jobs c join public.contact_import_jobs j on j.id = c.job_id where c.name = 'unversioned'),
  null,
  'a job made without one has none until its first slice reads the file');
select is((select array_agg(j.file_version) from created_jobs c join public.contact_import_jobs j on j.id = c.job_id where c.name = 'again'),
  array['"etag-133"'],
  'the same file again returns the earlier job, its version unchanged');
reset role;

select * from finish();
rollback;
